// For models/export/test_export.py: the DocLens engine's prefill logits (last prompt position) for one image file and
// a question in raw mode, printed as JSON, so the Python side can compare them with PyTorch on the same inputs.
// Usage: node --import tsx models/export/engine-logits.ts MODEL_DIR IMAGE.png "question"
import sharp from 'sharp';
import { loadVlm } from '../../src/inference/vlm/index.js';

const [dir, imagePath, question] = process.argv.slice(2);
if (!dir || !imagePath || !question) {
  console.error('usage: engine-logits.ts MODEL_DIR IMAGE.png "question"');
  process.exit(2);
}
const { data, info } = await sharp(imagePath).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const model = await loadVlm(dir, { provider: 'cpu', threads: 1, dtype: 'fp32' });
try {
  const image = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 as const };
  const logits = await model.prefillLogits({ images: [image], question, raw: true });
  const run = await model.generate({ images: [image], question, raw: true, maxTokens: 1 });
  console.log(
    JSON.stringify({
      promptTokens: run.promptTokens,
      resized: run.resized[0],
      deepstackLevels: model.deepstackLevels,
      quality: model.quality,
      logits: Array.from(logits),
    }),
  );
} finally {
  await model.dispose();
}

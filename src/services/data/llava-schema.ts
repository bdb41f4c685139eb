// The LLaVA instruction-tuning data format as a JSON Schema (draft 2020-12), written from the LLaVA repository's
// docs/Finetune_Custom_Data.md and the loader in llava/train/train.py (LazySupervisedDataset, preprocess_multimodal):
// a JSON array of {id, image, conversations}; turns alternate human / gpt starting with human; the image placeholder
// `<image>` appears once, in the first human turn. Extra keys (our `doclens` trace) are ignored by that loader.

export const LLAVA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'LLaVA visual instruction data',
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'image', 'conversations'],
    properties: {
      id: { type: 'string', minLength: 1 },
      // Relative to the trainer's --image_folder.
      image: { type: 'string', minLength: 1, not: { pattern: '^/' } },
      conversations: {
        type: 'array',
        minItems: 2,
        prefixItems: [
          {
            type: 'object',
            properties: { from: { const: 'human' }, value: { type: 'string', pattern: '<image>' } },
          },
          { type: 'object', properties: { from: { const: 'gpt' } } },
        ],
        items: {
          type: 'object',
          required: ['from', 'value'],
          additionalProperties: false,
          properties: { from: { enum: ['human', 'gpt'] }, value: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;

// The sample scene: a flat, cartoon-like PNG with a few distinct objects (house, tree, red car, blue ball,
// sun) so "find the red car" grounding has an obvious answer and known boxes.
import { createCanvas } from '@napi-rs/canvas';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Box, SampleDocument, SampleObject } from './ground-truth.js';

export const SCENE_FILE = 'scene.png';
const W = 1024;
const H = 768;

const COLORS = {
  sun: '#ffd23f',
  house: '#e0a96d',
  roof: '#8c3b2e',
  tree: '#2e8b3a',
  trunk: '#7a4a26',
  car: '#d62828',
  ball: '#1e63d6',
};

function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function disc(ctx: SKRSContext2D, cx: number, cy: number, r: number, color: string): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, Math.PI * 2);
  ctx.fill();
}

export async function makeScene(): Promise<{ bytes: Uint8Array; truth: SampleDocument }> {
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  const objects: SampleObject[] = [];
  const obj = (label: string, color: string, box: Box) => objects.push({ label, color, box });

  // Sky, hills, grass, road.
  const sky = ctx.createLinearGradient(0, 0, 0, 480);
  sky.addColorStop(0, '#8ec9f0');
  sky.addColorStop(1, '#dff1fb');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, W, 480);
  ctx.fillStyle = '#a8d08d';
  ctx.beginPath();
  ctx.moveTo(0, 470);
  ctx.bezierCurveTo(180, 390, 360, 430, 520, 455);
  ctx.bezierCurveTo(690, 480, 820, 400, W, 430);
  ctx.lineTo(W, 480);
  ctx.lineTo(0, 480);
  ctx.fill();
  ctx.fillStyle = '#7cbf5a';
  ctx.fillRect(0, 470, W, H - 470);
  ctx.fillStyle = '#85888e';
  ctx.fillRect(0, 548, W, 104);
  ctx.fillStyle = '#6f7278';
  ctx.fillRect(0, 548, W, 4);
  ctx.fillRect(0, 648, W, 4);
  ctx.fillStyle = '#f4f4f0';
  for (let x = 10; x < W; x += 90) ctx.fillRect(x, 598, 50, 5);

  // Clouds (soft, not labelled).
  for (const [cx, cy, s] of [
    [250, 110, 1],
    [560, 70, 0.8],
  ] as const) {
    ctx.fillStyle = 'rgba(255,255,255,0.92)';
    for (const [dx, dy, r] of [
      [-50, 10, 30],
      [-15, -8, 40],
      [30, 2, 34],
      [62, 14, 24],
    ] as const) {
      ctx.beginPath();
      ctx.arc(cx + dx * s, cy + dy * s, r * s, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  // Sun with a soft halo.
  const halo = ctx.createRadialGradient(870, 120, 60, 870, 120, 110);
  halo.addColorStop(0, 'rgba(255,230,120,0.55)');
  halo.addColorStop(1, 'rgba(255,230,120,0)');
  ctx.fillStyle = halo;
  ctx.fillRect(740, 0, 260, 240);
  disc(ctx, 870, 120, 60, COLORS.sun);
  obj('sun', COLORS.sun, { x0: 810, y0: 60, x1: 930, y1: 180 });

  // House: walls, roof, door, windows, chimney.
  ctx.fillStyle = '#6e2c22';
  ctx.fillRect(270, 238, 30, 60); // chimney
  ctx.fillStyle = COLORS.house;
  ctx.fillRect(90, 330, 240, 190);
  ctx.fillStyle = COLORS.roof;
  ctx.beginPath();
  ctx.moveTo(72, 336);
  ctx.lineTo(210, 226);
  ctx.lineTo(348, 336);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = '#5b3a1e';
  ctx.fillRect(232, 432, 52, 88); // door
  disc(ctx, 274, 478, 3.5, '#e9c46a');
  for (const wx of [112, 160]) {
    ctx.fillStyle = '#fdf6e3';
    ctx.fillRect(wx - 3, 367, 46, 46);
    ctx.fillStyle = '#9fd3f2';
    ctx.fillRect(wx, 370, 40, 40);
    ctx.fillStyle = '#fdf6e3';
    ctx.fillRect(wx + 18, 370, 4, 40);
    ctx.fillRect(wx, 388, 40, 4);
  }
  obj('house', COLORS.house, { x0: 72, y0: 226, x1: 348, y1: 520 });

  // Tree: trunk and a canopy of overlapping discs.
  ctx.fillStyle = COLORS.trunk;
  ctx.fillRect(452, 380, 28, 150);
  for (const [dx, dy, r] of [
    [0, -40, 62],
    [-50, 0, 50],
    [50, 0, 50],
    [0, 20, 58],
    [-30, -70, 40],
    [32, -68, 40],
  ] as const) {
    disc(ctx, 466 + dx, 350 + dy, r, COLORS.tree);
  }
  disc(ctx, 440, 300, 14, '#3fa34d');
  disc(ctx, 500, 338, 10, '#3fa34d');
  obj('tree', COLORS.tree, { x0: 366, y0: 240, x1: 566, y1: 530 });

  // Red car on the road.
  ctx.fillStyle = '#262626';
  ctx.beginPath();
  ctx.ellipse(705, 646, 130, 8, 0, 0, Math.PI * 2);
  ctx.fill(); // shadow
  ctx.fillStyle = COLORS.car;
  roundRect(ctx, 628, 516, 150, 60, 22); // cabin
  ctx.fill();
  ctx.fillStyle = '#bfe3f7';
  roundRect(ctx, 644, 528, 56, 34, 8);
  ctx.fill();
  roundRect(ctx, 708, 528, 56, 34, 8);
  ctx.fill();
  ctx.fillStyle = COLORS.car;
  roundRect(ctx, 580, 560, 250, 64, 18); // body
  ctx.fill();
  ctx.fillStyle = '#fff3b0';
  ctx.fillRect(818, 576, 10, 12); // headlight
  ctx.fillStyle = '#8b1414';
  ctx.fillRect(582, 578, 8, 12); // tail light
  for (const wx of [640, 770]) {
    disc(ctx, wx, 624, 24, '#1d1d1d');
    disc(ctx, wx, 624, 10, '#b8b8b8');
  }
  obj('car', COLORS.car, { x0: 580, y0: 516, x1: 830, y1: 648 });

  // Blue ball on the grass, with a highlight away from its centre.
  disc(ctx, 190, 706, 46, COLORS.ball);
  disc(ctx, 174, 688, 10, '#5b8ff0');
  obj('ball', COLORS.ball, { x0: 144, y0: 660, x1: 236, y1: 752 });

  const bytes = await canvas.encode('png');
  return {
    bytes,
    truth: {
      file: SCENE_FILE,
      kind: 'image',
      description:
        'A 1024x768 cartoon scene: a house, a tree, a red car on a road, a blue ball on the grass and the sun.',
      pages: [{ page: 1, width: W, height: H }],
      hasTextLayer: false,
      dates: [],
      distractors: [],
      fields: [],
      tables: [],
      charts: [],
      objects,
      transform: null,
    },
  };
}

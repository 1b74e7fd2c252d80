import { describe, expect, it } from 'vitest';
import { upscaleGrey } from '../../../workers/raster/grey-image.js';

describe('upscaleGrey', () => {
  it('enlarges bilinearly: edges stay, steps become ramps', () => {
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 200]) };
    const up = upscaleGrey(img, 4);
    expect([up.width, up.height]).toEqual([8, 4]);
    const row = [...up.data.subarray(0, 8)];
    expect(row[0]).toBe(0);
    expect(row[7]).toBe(200);
    expect(row).toEqual([...row].sort((a, b) => a - b));
    expect(new Set(row).size).toBeGreaterThan(3);
  });
});

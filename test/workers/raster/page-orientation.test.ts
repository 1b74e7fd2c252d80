import { describe, expect, it } from 'vitest';
import { rotateGrey, type GreyImage } from '../../../workers/raster/grey-image.js';
import { ascenderRatio, inkOrientation, lineContrast } from '../../../workers/raster/page-orientation.js';
import { scannedPng } from '../../fixtures/pdf-fixtures.js';
import { PROSE_PAGE as PAGE } from '../../fixtures/prose-page.js';
import { greyOf } from '../../helpers/grey-of.js';

const turned = (grey: GreyImage) => inkOrientation(grey, true).turned;

describe('inkOrientation', () => {
  it('spots a text page lying on either side or upside down, and passes an upright one', async () => {
    const upright = await greyOf(await scannedPng(PAGE));
    expect(lineContrast(upright)).toBeGreaterThan(1.5);
    expect(ascenderRatio(upright)).toBeGreaterThan(2);
    expect(inkOrientation(upright, true)).toEqual({ turned: false, turn: null });
    for (const degrees of [90, 180, 270]) expect(turned(rotateGrey(upright, degrees)), `turned ${degrees}°`).toBe(true);
  });

  it('says which way is up for a full page of Latin-script text, whichever way it lies', async () => {
    const upright = await greyOf(await scannedPng(PAGE));
    for (const degrees of [90, 180, 270]) {
      expect(inkOrientation(rotateGrey(upright, degrees), true), `turned ${degrees}°`).toEqual({ turned: true, turn: 360 - degrees });
      // Other scripts need not have Latin's ascenders: orientation detection decides for them.
      expect(inkOrientation(rotateGrey(upright, degrees), false), `turned ${degrees}°, not Latin`).toEqual({ turned: true, turn: null });
    }
  });

  it('leaves the way up to orientation detection on a page of a few words or under 15 lines', async () => {
    const words = await greyOf(await scannedPng(['Salad 1', '', 'Soup of the day']));
    for (const degrees of [90, 180, 270]) expect(inkOrientation(rotateGrey(words, degrees), true).turn, `turned ${degrees}°`).toBeNull();
    // One line, upright: it looks sideways, and turned a quarter its letters pass for many "lines".
    const line = await greyOf(await scannedPng(['Second page mentions elephants']));
    for (const degrees of [0, 90, 180, 270]) expect(inkOrientation(rotateGrey(line, degrees), true).turn, `one line turned ${degrees}°`).toBeNull();
    // Ten lines of prose upside down: enough to see that the page is turned, too few to trust which way.
    const tenLines = await greyOf(await scannedPng(PAGE.slice(0, 10)));
    expect(inkOrientation(rotateGrey(tenLines, 180), true)).toEqual({ turned: true, turn: null });
    for (const degrees of [90, 270]) expect(inkOrientation(rotateGrey(tenLines, degrees), true).turn, `turned ${degrees}°`).toBeNull();
  });

  it('passes pages it cannot judge: blank, ruled without letters (250,000 rows of them), a line or two', async () => {
    const blank: GreyImage = { data: new Uint8Array(200 * 300).fill(255), width: 200, height: 300 };
    expect(turned(blank)).toBe(false);
    const ribbon: GreyImage = { data: new Uint8Array(100 * 250_000).fill(255), width: 100, height: 250_000 };
    for (let y = 0; y < ribbon.height; y += 40) ribbon.data.fill(0, y * 100 + 10, y * 100 + 90); // a rule every 40 rows
    expect(turned(ribbon)).toBe(false);
    const short = await greyOf(await scannedPng(PAGE.slice(0, 2)));
    expect(ascenderRatio(rotateGrey(short, 180))).toBeNull();
  });
});

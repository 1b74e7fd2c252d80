/**
 * The Unicode scripts each tesseract language is written in, so a text layer can be checked
 * against the languages the client asked for: a byte-swapped ToUnicode map turns Latin text into
 * Han ideographs, which no `eng` page contains. Latin is always allowed (numbers, names, codes
 * and English words appear in documents of every language).
 */
const SCRIPT_LANGUAGES: Record<string, string[]> = {
  Latin: [
    'afr', 'aze', 'bos', 'bre', 'cat', 'ceb', 'ces', 'cos', 'cym', 'dan', 'deu', 'eng', 'enm', 'epo', 'est', 'eus', 'fao',
    'fil', 'fin', 'fra', 'frk', 'frm', 'fry', 'gla', 'gle', 'glg', 'hat', 'hrv', 'hun', 'ind', 'isl', 'ita', 'ita_old', 'jav',
    'kmr', 'lat', 'lav', 'lit', 'ltz', 'mlt', 'mri', 'msa', 'nld', 'nor', 'oci', 'pol', 'por', 'que', 'ron', 'slk', 'slv',
    'spa', 'spa_old', 'sqi', 'srp_latn', 'sun', 'swa', 'swe', 'tgl', 'ton', 'tur', 'uzb', 'vie', 'yor',
  ],
  Cyrillic: ['aze_cyrl', 'bel', 'bul', 'kaz', 'kir', 'mkd', 'mon', 'rus', 'srp', 'tat', 'tgk', 'ukr', 'uzb_cyrl'],
  Greek: ['ell', 'grc'],
  Han: ['chi_sim', 'chi_sim_vert', 'chi_tra', 'chi_tra_vert', 'jpn', 'jpn_vert', 'kor', 'kor_vert'],
  Hiragana: ['jpn', 'jpn_vert'],
  Katakana: ['jpn', 'jpn_vert'],
  Hangul: ['kor', 'kor_vert'],
  Arabic: ['ara', 'ckb', 'fas', 'pus', 'snd', 'uig', 'urd'],
  Hebrew: ['heb', 'yid'],
  Devanagari: ['hin', 'mar', 'nep', 'san'],
  Bengali: ['asm', 'ben'],
  Gurmukhi: ['pan'],
  Gujarati: ['guj'],
  Oriya: ['ori'],
  Tamil: ['tam'],
  Telugu: ['tel'],
  Kannada: ['kan'],
  Malayalam: ['mal'],
  Sinhala: ['sin'],
  Thai: ['tha'],
  Lao: ['lao'],
  Khmer: ['khm'],
  Myanmar: ['mya'],
  Georgian: ['kat', 'kat_old'],
  Armenian: ['hye'],
  Ethiopic: ['amh', 'tir'],
  Tibetan: ['bod', 'dzo'],
  Syriac: ['syr'],
  Thaana: ['div'],
  Cherokee: ['chr'],
};

/**
 * Scripts of a language spec (`eng`, `eng+rus`); null when one of its languages is not in the
 * table (then nothing can be said about scripts, and the check is skipped).
 */
export function scriptsOf(lang: string): string[] | null {
  const scripts = new Set(['Latin']);
  for (const code of lang.split('+')) {
    const found = Object.entries(SCRIPT_LANGUAGES).filter(([, codes]) => codes.includes(code)).map(([script]) => script);
    if (found.length === 0) return null;
    found.forEach((s) => scripts.add(s));
  }
  return [...scripts];
}

/** A test for "this letter belongs to one of these scripts" (Common and Inherited always do). */
export function scriptMatcher(scripts: string[]): RegExp {
  const classes = [...scripts, 'Common', 'Inherited'].map((s) => `\\p{Script=${s}}`).join('');
  return new RegExp(`[${classes}]`, 'u');
}

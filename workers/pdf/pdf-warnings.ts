/**
 * pdf.js reports some decisions only as console warnings — most importantly "Image exceeded
 * maximum allowed size and was removed", which otherwise leaves a silently blank page. Running in
 * a worker thread, we route those lines into the current task's list, and never let pdf.js's
 * warnings about damaged files reach the server's output (which is JSON log lines).
 */
let sink: string[] | null = null;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (line.startsWith('Warning:')) {
      if (sink && sink.length < 100) sink.push(line.slice('Warning:'.length).trim());
      return;
    }
    original(...args);
  };
}

export async function collectPdfWarnings<T>(work: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  install();
  const warnings: string[] = [];
  sink = warnings;
  try {
    return { value: await work(), warnings };
  } finally {
    sink = null;
  }
}

export const isDroppedImageWarning = (w: string) => /exceeded maximum allowed size/i.test(w);

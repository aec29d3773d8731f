/**
 * Reads a file of newline-ended records, one line at a time, in bounded memory: a line
 * longer than `maxLineBytes` ends the scan (`tooLong`), a last line without its newline is
 * a torn write (`torn`: a crash in the middle of an append), and the callback may stop the
 * scan at a line it refuses (`stopped`). Offsets are byte offsets in the file.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export type ScanEnd = 'eof' | 'torn' | 'stopped' | 'tooLong';

export interface ScanResult {
  end: ScanEnd;
  /** eof: the file's length; otherwise where the torn, refused or too long line starts */
  offset: number;
}

const CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/** `onLine(line, offset)` returns false to stop at that line. */
export function scanLines(file: string, maxLineBytes: number, onLine: (line: Buffer, offset: number) => boolean): ScanResult {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer = EMPTY;
    /** file offset of carry[0] */
    let base = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, pos);
      if (n === 0) break;
      pos += n;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        if (nl - start > maxLineBytes) return { end: 'tooLong', offset: base + start };
        if (!onLine(data.subarray(start, nl), base + start)) return { end: 'stopped', offset: base + start };
        start = nl + 1;
      }
      // a copy: `chunk` is read into again
      carry = start < data.length ? Buffer.from(data.subarray(start)) : EMPTY;
      base += start;
      if (carry.length > maxLineBytes) return { end: 'tooLong', offset: base };
    }
    return carry.length > 0 ? { end: 'torn', offset: base } : { end: 'eof', offset: base };
  } finally {
    closeSync(fd);
  }
}

/**
 * The latest NON notifications a fleet sent, by socket slot and message id, so that an RST
 * answering one of them names the observation the server no longer wants (RFC 7641, 3.6;
 * the server's passive cancel). A fixed ring: two stores per notification, a scan only
 * when an RST comes.
 */
export class RecentNotifications<O> {
  private readonly keys: Float64Array;
  private readonly items: (O | undefined)[];
  private at = 0;

  /** `size`: a power of two */
  constructor(private readonly size = 1024) {
    this.keys = new Float64Array(size).fill(-1);
    this.items = new Array<O | undefined>(size).fill(undefined);
  }

  add(key: number, o: O): void {
    const k = this.at++ & (this.size - 1);
    this.keys[k] = key;
    this.items[k] = o;
  }

  /** The observation of the notification `key`, newest first; forgotten once taken. */
  take(key: number): O | undefined {
    for (let n = 1; n <= this.size; n++) {
      const k = (this.at - n) & (this.size - 1);
      if (this.keys[k] !== key) continue;
      const o = this.items[k];
      this.keys[k] = -1;
      this.items[k] = undefined;
      return o;
    }
    return undefined;
  }
}

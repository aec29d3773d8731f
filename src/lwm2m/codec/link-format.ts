// STUB: replaced by the real link-format codec (RFC 6690 with LwM2M attributes).
export interface Link {
  /** e.g. "/3/0" or "/" */
  uri: string;
  /** attribute name -> value; valueless attributes (e.g. "Q") are `true`. Quotes removed. */
  attributes: Map<string, string | true>;
}
export function parseLinks(_text: string): Link[] {
  throw new Error('not implemented');
}
export function serializeLinks(_links: readonly Link[]): string {
  throw new Error('not implemented');
}

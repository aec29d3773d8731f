/** A start-up failure with a message meant for the operator (one clear line). */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

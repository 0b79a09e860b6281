/** An error the management API reports with a specific HTTP status instead of 500. */
export class DurableApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
  ) {
    super(detail ? `${message}: ${detail}` : message);
  }

  /** ASP.NET's HttpError shape, which the extension's error responses use. */
  toBody(): { Message: string; ExceptionMessage?: string } {
    const base = this.detail ? this.message.slice(0, this.message.length - this.detail.length - 2) : this.message;
    return this.detail ? { Message: base, ExceptionMessage: this.detail } : { Message: base };
  }
}

/** The extension answers argument errors (unknown function, bad instance id) with this text and 400. */
export function badArgument(detail: string): DurableApiError {
  return new DurableApiError(400, 'One or more of the arguments submitted is incorrect', detail);
}

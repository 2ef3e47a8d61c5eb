/** One entry of an SP-API `ErrorList` (`{ errors: [...] }`), shared by every API the sandbox serves. */
export interface ErrorEntry {
  code: string;
  message: string;
  details: string;
}

/** An SP-API error answer: thrown inside a handler, turned into status + ErrorList at the edge. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
  toBody(): { errors: ErrorEntry[] } {
    return { errors: [{ code: this.code, message: this.message, details: this.details }] };
  }
}

/** 400 InvalidInput, the code every SP-API model uses for a rejected parameter or body. */
export const invalidInput = (message: string, details = ''): ApiError => new ApiError(400, 'InvalidInput', message, details);

/** What a handler answers: a status and an optional JSON body. */
export interface ApiResult {
  status: number;
  body?: unknown;
}

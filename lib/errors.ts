/** An expected failure with a code and a message fit to show the person who caused it. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

/** An expected failure that belongs to one form field: the form shows the message beside it. */
export class FieldError extends DomainError {
  constructor(
    readonly field: string,
    code: string,
    message: string,
  ) {
    super(code, message, 400);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You do not have permission to do that.") {
    super("forbidden", message, 403);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = "Not found.") {
    super("not_found", message, 404);
  }
}

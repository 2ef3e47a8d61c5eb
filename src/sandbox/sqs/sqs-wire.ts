/**
 * Error shapes of SQS's AWS JSON 1.0 protocol.
 *
 * SQS answers an error with a JSON body `{"__type": "com.amazonaws.sqs#QueueDoesNotExist",
 * "message": "..."}` and, because the service is "awsQueryCompatible", an
 * `x-amzn-query-error: <legacy query code>;<Sender|Receiver>` header
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html).
 * @aws-sdk/client-sqs reads the header's code first and maps it back to its error class through
 * the model's `awsQueryError` trait (e.g. AWS.SimpleQueueService.NonExistentQueue →
 * QueueDoesNotExist), so both must be right for the SDK to throw the specific class.
 */
export class SqsWireError extends Error {
  constructor(
    readonly status: number,
    /** Shape id for `__type`. */
    readonly shapeId: string,
    /** Legacy query error code for `x-amzn-query-error`. */
    readonly queryCode: string,
    readonly fault: 'Sender' | 'Receiver',
    message: string,
  ) {
    super(message);
    this.name = 'SqsWireError';
  }

  body(): string {
    return JSON.stringify({ __type: this.shapeId, message: this.message });
  }

  headers(): Record<string, string> {
    return { 'x-amzn-query-error': `${this.queryCode};${this.fault}` };
  }
}

const SQS = 'com.amazonaws.sqs#';

// Codes and statuses below are the `awsQueryError` traits of the SQS Smithy model as shipped in
// @aws-sdk/client-sqs; errors common to all AWS services use the names from
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html.
export const sqsErrors = {
  queueDoesNotExist: () =>
    new SqsWireError(400, `${SQS}QueueDoesNotExist`, 'AWS.SimpleQueueService.NonExistentQueue', 'Sender', 'The specified queue does not exist.'),
  invalidAddress: (url: string) =>
    new SqsWireError(404, `${SQS}InvalidAddress`, 'InvalidAddress', 'Sender', `The address ${url} is not valid for this endpoint.`),
  receiptHandleIsInvalid: (handle: string) =>
    new SqsWireError(404, `${SQS}ReceiptHandleIsInvalid`, 'ReceiptHandleIsInvalid', 'Sender', `The input receipt handle "${handle.slice(0, 32)}…" is not a valid receipt handle.`),
  messageNotInflight: () =>
    new SqsWireError(400, `${SQS}MessageNotInflight`, 'AWS.SimpleQueueService.MessageNotInflight', 'Sender', 'The message referred to is not in flight.'),
  queueNameExists: (name: string) =>
    new SqsWireError(400, `${SQS}QueueNameExists`, 'QueueAlreadyExists', 'Sender', `A queue already exists with the name ${name} and different attributes.`),
  invalidAttributeName: (name: string) =>
    new SqsWireError(400, `${SQS}InvalidAttributeName`, 'InvalidAttributeName', 'Sender', `Unknown Attribute ${name}.`),
  emptyBatchRequest: () =>
    new SqsWireError(400, `${SQS}EmptyBatchRequest`, 'AWS.SimpleQueueService.EmptyBatchRequest', 'Sender', 'There should be at least one entry in the request.'),
  tooManyEntriesInBatchRequest: (n: number) =>
    new SqsWireError(400, `${SQS}TooManyEntriesInBatchRequest`, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'Sender', `Maximum number of entries per request are 10. You have sent ${n}.`),
  batchEntryIdsNotDistinct: (id: string) =>
    new SqsWireError(400, `${SQS}BatchEntryIdsNotDistinct`, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'Sender', `Id ${id} repeated.`),
  invalidBatchEntryId: (id: string) =>
    new SqsWireError(400, `${SQS}InvalidBatchEntryId`, 'AWS.SimpleQueueService.InvalidBatchEntryId', 'Sender', `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got: ${id}`),
  invalidParameterValue: (message: string) =>
    new SqsWireError(400, 'com.amazon.coral.validate#ValidationException', 'InvalidParameterValue', 'Sender', message),
  missingParameter: (name: string) =>
    new SqsWireError(400, 'com.amazon.coral.validate#ValidationException', 'MissingParameter', 'Sender', `The request must contain the parameter ${name}.`),
  invalidAction: (target: string) =>
    new SqsWireError(400, 'com.amazon.coral.service#UnknownOperationException', 'InvalidAction', 'Sender', `The action ${target} is not valid for this endpoint.`),
  serialization: (message: string) =>
    new SqsWireError(400, 'com.amazon.coral.service#SerializationException', 'SerializationException', 'Sender', message),
  missingAuthenticationToken: () =>
    new SqsWireError(403, 'com.amazon.coral.service#MissingAuthenticationTokenException', 'MissingAuthenticationToken', 'Sender', 'Missing Authentication Token'),
  internalError: () =>
    new SqsWireError(500, 'com.amazon.coral.service#InternalFailure', 'InternalError', 'Receiver', 'We encountered an internal error. Please try again.'),
  serviceUnavailable: () =>
    new SqsWireError(503, 'com.amazon.coral.availability#ServiceUnavailableException', 'ServiceUnavailable', 'Receiver', 'Service is unavailable. Please try again.'),
};

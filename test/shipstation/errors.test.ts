import { describe, expect, it } from 'vitest';
import { errorForNetwork, errorForResponse, isPlanRefusal, shipStationMessage } from '../../src/shipstation/errors';

describe('errorForResponse', () => {
  it.each<[string, number, string, string, boolean]>([
    ['bare 401 is a bad key', 401, '401 Unauthorized', 'shipstation.auth_rejected', false],
    ['402 is a plan without API access', 402, '{"Message":"API access is not available on your ShipStation plan."}', 'shipstation.plan_refused', false],
    ['402 with no body is still the plan', 402, '', 'shipstation.plan_refused', false],
    ['401 that talks about the plan is the plan', 401, '{"message":"Your subscription plan does not include API access. Please upgrade."}', 'shipstation.plan_refused', false],
    ['403 without plan words is credentials', 403, 'Forbidden', 'shipstation.auth_rejected', false],
    ['429 is transient', 429, '{"message":"Too Many Requests"}', 'shipstation.rate_limited', true],
    ['500 is transient', 500, '{"Message":"An error has occurred."}', 'shipstation.unreachable', true],
    ['503 text body', 503, 'Service Unavailable', 'shipstation.unreachable', true],
    ['400 is ShipStation refusing our data', 400, '{"Message":"The request is invalid.","ModelState":{"apiOrder.orderDate":["The orderDate field is required."]}}', 'shipstation.rejected', false],
    ['404 is a rejection', 404, '{"Message":"Order 1 was not found."}', 'shipstation.rejected', false],
  ])('%s', (_name, status, body, code, transient) => {
    const err = errorForResponse(status, body, 'test call');
    expect(err).toMatchObject({ code, transient, status });
    expect(err.hint).not.toBe('');
  });

  it('carries ShipStation model-state messages into a rejection', () => {
    const err = errorForResponse(400, '{"Message":"The request is invalid.","ModelState":{"apiOrder.orderDate":["The orderDate field is required."]}}', 'createorder X');
    expect(err.message).toContain('apiOrder.orderDate: The orderDate field is required.');
    expect(err.message).toContain('createorder X');
  });
});

describe('shipStationMessage', () => {
  it.each<[string, string, string | undefined]>([
    ['Web API error', '{"Message":"An error has occurred.","ExceptionMessage":"Object reference not set"}', 'An error has occurred. Object reference not set'],
    ['lower-case message', '{"message":"Too Many Requests"}', 'Too Many Requests'],
    ['plain text', 'Bad Gateway', 'Bad Gateway'],
    ['empty', '', undefined],
  ])('%s', (_name, body, expected) => {
    expect(shipStationMessage(body)).toBe(expected);
  });

  it('truncates long bodies', () => {
    expect(shipStationMessage('x'.repeat(5000))!.length).toBe(400);
  });
});

describe('isPlanRefusal', () => {
  it.each<[number, string, boolean]>([
    [402, '', true],
    [401, '401 Unauthorized', false],
    [401, 'API access requires the Gold plan or higher', true],
    [400, 'upgrade your plan', false],
  ])('status %i body %j → %s', (status, body, expected) => {
    expect(isPlanRefusal(status, body)).toBe(expected);
  });
});

describe('errorForNetwork', () => {
  it.each<[string, boolean]>([
    ['ECONNRESET', true],
    ['ETIMEDOUT', true],
    ['ECONNREFUSED', true],
    ['ERR_INVALID_URL', false],
  ])('%s transient=%s', (code, transient) => {
    expect(errorForNetwork(Object.assign(new Error('x'), { code }), 'call')).toMatchObject({ code: 'shipstation.unreachable', transient });
  });
});

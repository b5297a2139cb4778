import { fail, sleep } from 'k6';
import http, { type RefinedResponse } from 'k6/http';
import { BASE_URL, PASSWORD, USER } from './config.ts';

/** What setup() hands to every VU. */
export interface SetupData {
  readonly token: string;
  /** Seconds the token stays valid. */
  readonly expiresIn: number;
}

const params = (...statuses: number[]) => ({
  headers: { 'content-type': 'application/json' },
  tags: { endpoint: 'login' },
  responseCallback: http.expectedStatuses(...statuses),
});

/**
 * Registers the load user unless its name is taken (then reuses it) and takes one token for the
 * whole run: tokens are rate-limited per client IP, so VUs must not each ask for their own.
 */
export function login(): SetupData {
  const credentials = JSON.stringify({ username: USER, password: PASSWORD });
  const created = patiently(() => http.post(`${BASE_URL}/v1/users`, credentials, params(201, 409)));
  if (created.status !== 201 && created.status !== 409) fail(`registering ${USER} at ${BASE_URL} failed: HTTP ${created.status} ${created.body}`);
  const token = patiently(() => http.post(`${BASE_URL}/v1/token`, credentials, params(200)));
  if (token.status !== 200) fail(`a token for ${USER} was refused: HTTP ${token.status} ${token.body}`);
  return { token: String(token.json('access_token')), expiresIn: Number(token.json('expires_in')) };
}

/** Stops a run that would outlive its token: every request after the expiry would be a 401. */
export function assertTokenLasts(data: SetupData, seconds: number): void {
  if (seconds > data.expiresIn) fail(`the run lasts ${seconds} s but its token expires after ${data.expiresIn} s (JWT_TTL_SECONDS)`);
}

// 429 (token rate limit) and 503 (password hashing queue full) say when to come back.
function patiently(request: () => RefinedResponse<'text'>): RefinedResponse<'text'> {
  for (let attempt = 1; ; attempt += 1) {
    const response = request();
    if ((response.status !== 429 && response.status !== 503) || attempt === 10) return response;
    sleep(Number(response.headers['Retry-After']) || 2);
  }
}

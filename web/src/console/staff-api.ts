// The staff console's door to the JSON API: same-origin cookies, the session's CSRF token on every
// write, ETags kept per resource for If-Match, and the server's `{code, description}` errors surfaced
// as ApiError so forms can show the reason (and the field at fault) in place.
import type { Lang } from '../api.ts';

export type StaffRole = 'staff' | 'admin';

export interface StaffUser {
  id: number;
  email: string;
  role: StaffRole;
}

/** A refused request: its HTTP status and the JSON reason the server gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field the server blamed (422), when it named one. */
  get field(): string | undefined {
    return typeof this.details.field === 'string' ? this.details.field : undefined;
  }
}

export interface ApiResponse<T> {
  body: T;
  etag: string | null;
  status: number;
  location: string | null;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent as If-Match (the ETag read with the resource). */
  ifMatch?: string | null;
  /** A multipart upload instead of JSON. */
  form?: FormData;
}

/** The server's messages are "français / English": show the half in the reader's language. */
export function messageIn(lang: Lang, message: string): string {
  const halves = message.split(' / ');
  if (halves.length !== 2) return message;
  return lang === 'fr' ? halves[0]! : halves[1]!;
}

export class StaffApi {
  private csrfToken: string | null = null;

  /** The logged-in user, or null when the session cookie is missing or expired. */
  async me(): Promise<StaffUser | null> {
    const response = await fetch('/api/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.status === 401) return null;
    const body = (await this.parse(response)) as { user: StaffUser; csrfToken: string };
    this.csrfToken = body.csrfToken;
    return body.user;
  }

  async login(email: string, password: string): Promise<StaffUser> {
    const { body } = await this.request<{ user: StaffUser; csrfToken: string }>('/api/auth/login', {
      method: 'POST',
      body: { email, password },
    });
    this.csrfToken = body.csrfToken;
    return body.user;
  }

  async logout(): Promise<void> {
    await this.request('/api/auth/logout', { method: 'POST' });
    this.csrfToken = null;
  }

  get<T>(url: string): Promise<ApiResponse<T>> {
    return this.request<T>(url);
  }

  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, ifMatch?: string | null): Promise<ApiResponse<T>> {
    return this.request<T>(url, { method, body, ifMatch });
  }

  /** A multipart POST; with `onProgress`, told the bytes sent so far (fetch cannot report an upload's progress). */
  upload<T>(url: string, form: FormData, onProgress?: (sent: number, total: number) => void): Promise<ApiResponse<T>> {
    if (!onProgress) return this.request<T>(url, { method: 'POST', form });
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('Accept', 'application/json');
      if (this.csrfToken) xhr.setRequestHeader('X-CSRF-Token', this.csrfToken);
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener('error', () => reject(new TypeError(`upload to ${url} failed: network error`)));
      xhr.addEventListener('abort', () => reject(new DOMException('upload aborted', 'AbortError')));
      xhr.addEventListener('load', () => {
        const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
          status: xhr.status,
          statusText: xhr.statusText,
          headers: { 'Content-Type': 'application/json' },
        });
        this.parse(response).then(
          (body) => resolve({ body: body as T, etag: xhr.getResponseHeader('ETag'), status: xhr.status, location: xhr.getResponseHeader('Location') }),
          reject,
        );
      });
      xhr.send(form);
    });
  }

  async request<T>(url: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (method !== 'GET' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    if (options.ifMatch) headers['If-Match'] = options.ifMatch;
    let body: BodyInit | undefined;
    if (options.form) body = options.form;
    else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
    const parsed = (await this.parse(response)) as T;
    return { body: parsed, etag: response.headers.get('ETag'), status: response.status, location: response.headers.get('Location') };
  }

  private async parse(response: Response): Promise<unknown> {
    const text = response.status === 204 ? '' : await response.text();
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!response.ok) {
      const error = (json ?? {}) as { code?: string; description?: string } & Record<string, unknown>;
      const { code, description, ...details } = error;
      throw new ApiError(response.status, code ?? String(response.status), description ?? response.statusText, details);
    }
    return json;
  }
}

// The console's only way to the server: fetch with the API key as a bearer token. The key lives
// in sessionStorage (gone when the tab closes) and is never put in a URL or logged.

const KEY_STORAGE = 'vigil.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = storedKey();
  if (key) headers['Authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!res.ok) {
    let message = `${method} ${path}: HTTP ${res.status}`;
    let field: string | undefined;
    try {
      const j = await res.json();
      if (typeof j.message === 'string') message = j.message;
      if (typeof j.field === 'string') field = j.field;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message, field);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request('GET', path)).json()) as T;
}

export async function sendJson<T>(method: string, path: string, body: unknown = {}): Promise<T> {
  return (await (await request(method, path, body)).json()) as T;
}

export async function getBlob(path: string): Promise<Blob> {
  return (await request('GET', path)).blob();
}

// Shapes of the /v1 answers the console reads (docs/server.md, docs/console.md).
export interface Wellness {
  blur_percent: number;
  greyscale: boolean;
  daily_exposure_cap: number;
}

export interface Me {
  name: string;
  roles: string[];
  now: string;
  wellness: Wellness;
  exposure_today: number;
  media: boolean;
}

export interface Lease {
  reviewer: string;
  expires_at: string;
}

export interface CaseSummary {
  id: number;
  state: string;
  priority: number;
  eu: boolean;
  items: number;
  reviews: number;
  technologies: string[];
  banks: string[];
  content_types: string[];
  created_at: string;
  lease?: Lease;
}

export interface Flag {
  technology: string; // the label: detector@version and threshold
  detector: string;
  version: string; // the detector's (model's) version; '' if the label has none
  threshold: string; // e.g. "r<=31", "s>=0.6"; '' if none
  category: string;
  value: number;
  bank_entry_id?: number;
  bank?: string;
  // Why a classifier flagged the item (Art 3(1)(f)): usually an array of indicators
  // ({indicator, weight, messages, detail}); text when the stored evidence is not JSON.
  evidence?: unknown;
}

export interface Item {
  item_id: string;
  content_type: string;
  received_at: string;
  hashes?: Record<string, string>;
  flags: Flag[];
}

export interface Review {
  kind: string;
  reviewer: string;
  decision: string;
  rationale: string;
  decided_at: string;
}

export interface CaseDetail {
  id: number;
  version: number;
  state: string;
  priority: number;
  account_id: string;
  surface: string;
  eu: boolean;
  created_at: string;
  lease?: Lease;
  outcome?: string;
  qa: string;
  items: Item[];
  reviews: Review[];
}

export interface CaseEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  details: string;
}

export interface Alert {
  id: number;
  subject: string;
  key: string;
  flag_count: number;
  threshold: number;
  window_seconds: number;
  raised_at: string;
  case_id: number;
  paused_auto_action: boolean;
  acknowledged_at?: string;
  acknowledged_by?: string;
  note?: string;
}

// A video item's frame thumbnails (GET /v1/cases/{id}/items/{n}/frames).
export interface VideoFrames {
  item_id: string;
  video: { codec: string; width: number; height: number; frames_per_second: number; duration_seconds: number; frame_step: number };
  frames: { frame_number: number; timestamp: number; width: number; height: number; content_type: string; data: string }[];
}

// A subject whose automatic action a cluster alert paused (GET /v1/pauses).
export interface Pause {
  subject: string; // 'technology' or 'bank_entry'
  key: string; // the technology label, or the bank entry id
  paused_at: string;
  alert_id: number;
}

export interface RedressAction {
  id: number;
  case_id: number;
  kind: string;
  item_id: string;
  reason: string;
  technologies: string;
  actor: string;
  taken_at: string;
  reversed_at: string | null;
}

export interface Complaint {
  id: number;
  action_id: number;
  case_id: number;
  state: string;
  filed_at: string;
  outcome: string | null;
  reviewer: string;
  report_followup: string;
  decide_by: string;
  overdue: boolean;
  action: RedressAction;
  decided_at?: string;
  may_decide: boolean;
  conflict?: string; // why the calling key may not decide it (not independent)
  text?: string; // the user's grounds: only in the single, audited view
  filed_by?: string;
  rationale?: string;
}

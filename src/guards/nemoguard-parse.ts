// Internal: reads a NemoGuard reply, JSON or plain lines, with or without a <think> block.
import type { CategoryHit } from '../types.js';
import { stripThink } from './guard-chat.js';
import { mapCategory, type CategoryVendor } from './taxonomy-maps.js';

export interface NemoguardReading {
  userSafe: boolean | undefined;
  responseSafe: boolean | undefined;
  categories: CategoryHit[];
}

const KEYS = { 'user safety': 'user', 'response safety': 'response', 'safety categories': 'categories' } as const;

/**
 * The ratings in `reply`, or undefined when it is neither of the two known forms. Category labels
 * map through `vendor` (NemoGuard names; Nemotron Safety Guard names or its S-codes).
 */
export function parseNemoguard(reply: string, vendor: CategoryVendor = 'nemoguard'): NemoguardReading | undefined {
  const body = stripThink(reply);
  const fields = fromJson(body) ?? fromLines(body);
  if (!fields) return undefined;
  const userSafe = rating(fields.user);
  const responseSafe = rating(fields.response);
  if (userSafe === null || responseSafe === null) return undefined;
  const list = Array.isArray(fields.categories) ? fields.categories.map(String) : typeof fields.categories === 'string' ? fields.categories.split(',') : [];
  const categories = list.map((s) => s.trim()).filter(Boolean).map((label) => mapCategory(vendor, label));
  return { userSafe, responseSafe, categories };
}

type Fields = Partial<Record<'user' | 'response' | 'categories', unknown>>;

function fromJson(body: string): Fields | undefined {
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const out: Fields = {};
  for (const [k, v] of Object.entries(parsed)) {
    const key = KEYS[k.trim().toLowerCase() as keyof typeof KEYS];
    if (key) out[key] = v;
  }
  return out.user === undefined && out.response === undefined ? undefined : out;
}

function fromLines(body: string): Fields | undefined {
  const out: Fields = {};
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*["']?([A-Za-z ]+?)["']?\s*:\s*(.*?)\s*,?\s*$/.exec(line);
    const key = m && KEYS[m[1]!.toLowerCase() as keyof typeof KEYS];
    if (key) out[key] = m[2]!.replace(/^["']|["']$/g, '');
  }
  return out.user === undefined && out.response === undefined ? undefined : out;
}

// undefined: absent; null: present but not a rating (unparsable).
function rating(value: unknown): boolean | undefined | null {
  if (value === undefined) return undefined;
  const v = String(value).trim().toLowerCase();
  if (v === 'safe') return true;
  if (v === 'unsafe') return false;
  return null;
}

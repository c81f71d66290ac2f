// AI SDK file parts <-> OpenAI content parts, the way OpenAI-compatible providers map them:
// images become `image_url`, wav/mp3 audio `input_audio`, documents `file`, inline text `text`.
import { ValidationError } from '../../errors.js';
import type { ContentPart } from '../../types.js';
import type { AIFilePart } from './types.js';
import { omitUndefined } from '../../internal/omit-undefined.js';

/** An AI SDK file part as the content part a guard or scorer receives. */
export function fromFilePart(part: AIFilePart): ContentPart {
  const { data, mediaType } = part;
  const top = mediaType.split('/')[0];
  if (data.type === 'text') return { type: 'text', text: data.text };
  if (data.type === 'reference') {
    const id = Object.values(data.reference)[0] ?? '';
    return { type: 'file', file: omitUndefined({ file_id: id, filename: part.filename || undefined }) };
  }
  const url = data.type === 'url' ? (data.originalUrl ?? data.url.toString()) : `data:${fullMediaType(mediaType)};base64,${base64(data.data)}`;
  if (top === 'image') return { type: 'image_url', image_url: { url } };
  if (top === 'audio' && data.type === 'data') return { type: 'input_audio', input_audio: { data: base64(data.data), format: audioFormat(mediaType) } };
  if (data.type === 'data') return { type: 'file', file: omitUndefined({ file_data: url, filename: part.filename || undefined }) };
  // A file by URL that is no image: OpenAI has no part for it; kept as a part of its own type.
  return { type: 'file_url', file_url: omitUndefined({ url, media_type: mediaType, filename: part.filename || undefined }) };
}

/**
 * A content part as an AI SDK prompt part (text or file), for a conversation a middleware changed;
 * undefined for a part the AI SDK prompt cannot hold. `path` names the part in errors.
 */
export function toPromptPart(part: ContentPart, path: string): { type: 'text'; text: string } | AIFilePart | undefined {
  const p = part as Record<string, any>;
  switch (part.type) {
    case 'text':
      return { type: 'text', text: String(p.text) };
    case 'image_url':
      return fileFromUrl(String(p.image_url.url), 'image', `${path}.image_url.url`);
    case 'input_audio': {
      const format = String(p.input_audio.format);
      return { type: 'file', mediaType: format === 'mp3' ? 'audio/mpeg' : `audio/${format}`, data: { type: 'data', data: String(p.input_audio.data) } };
    }
    case 'file': {
      const { file_data: fileData, file_id: fileId, filename } = p.file as { file_data?: string; file_id?: string; filename?: string };
      const named = filename ? { filename } : {};
      if (fileData) return { ...fileFromUrl(fileData, 'application/pdf', `${path}.file.file_data`), ...named };
      if (fileId) return { type: 'file', mediaType: 'application', data: { type: 'reference', reference: { openai: fileId } }, ...named };
      return undefined;
    }
    case 'file_url':
      return fileFromUrl(String(p.file_url.url), String(p.file_url.media_type ?? 'application'), `${path}.file_url.url`);
    default:
      return undefined;
  }
}

function fileFromUrl(url: string, mediaType: string, path: string): AIFilePart {
  const inline = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (inline) {
    const data = inline[2] ? inline[3]! : base64(new TextEncoder().encode(decodeURIComponent(inline[3]!)));
    return { type: 'file', mediaType: inline[1] ?? mediaType, data: { type: 'data', data } };
  }
  try {
    return { type: 'file', mediaType, data: { type: 'url', url: new URL(url) } };
  } catch {
    throw new ValidationError('AI SDK prompt', [{ path, message: 'expected a URL or a data: URL' }]);
  }
}

function fullMediaType(mediaType: string): string {
  if (mediaType.includes('/')) return mediaType;
  return mediaType === 'image' ? 'image/jpeg' : mediaType === 'audio' ? 'audio/wav' : 'application/octet-stream';
}

function audioFormat(mediaType: string): string {
  const sub = mediaType.split('/')[1] ?? 'wav';
  return sub === 'mpeg' || sub === 'mp3' ? 'mp3' : sub;
}

/** Base64 of bytes (or the string itself: AI SDK data strings are base64 already). */
function base64(data: Uint8Array | string): string {
  if (typeof data === 'string') return data;
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(binary);
}

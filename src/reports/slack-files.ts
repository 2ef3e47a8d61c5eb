import { DockhandError } from '../domain/errors';

/**
 * The Slack Web API calls the reports make, as @slack/web-api's WebClient offers them. Files go
 * up Slack's external way (files.upload was retired in 2025): files.getUploadURLExternal gives
 * a URL, the bytes are POSTed there, files.completeUploadExternal finishes (and shares, when
 * given a channel). https://docs.slack.dev/messaging/working-with-files#upload
 */
export interface ReportsSlackApi {
  chat: {
    postMessage(args: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string }): Promise<{ ok?: boolean; ts?: string; channel?: string }>;
  };
  files: {
    getUploadURLExternal(args: { filename: string; length: number; alt_txt?: string }): Promise<{ ok?: boolean; upload_url?: string; file_id?: string }>;
    completeUploadExternal(args: { files: Array<{ id: string; title?: string }>; channel_id?: string; thread_ts?: string; initial_comment?: string }): Promise<{ ok?: boolean }>;
  };
}

export interface UploadInput {
  bytes: Buffer;
  filename: string;
  title: string;
  altText?: string;
  /** Shared here when given (a channel ID, and the parent message for a thread); private otherwise. */
  channelId?: string;
  threadTs?: string;
  comment?: string;
}

/** Uploads one file and returns its id (an image block can show it by `slack_file.id`). */
export async function uploadFile(api: ReportsSlackApi, f: UploadInput, post: typeof fetch = fetch): Promise<string> {
  const got = await api.files.getUploadURLExternal({ filename: f.filename, length: f.bytes.length, ...(f.altText ? { alt_txt: f.altText.slice(0, 1000) } : {}) });
  if (!got.upload_url || !got.file_id) throw new DockhandError('report.unavailable', `Slack gave no upload URL for ${f.filename}`, { hint: 'Check the app has the files:write scope (reinstall it from manifest.yml).' });
  const res = await post(got.upload_url, { method: 'POST', body: new Uint8Array(f.bytes), headers: { 'content-type': 'application/octet-stream' } });
  if (!res.ok) throw new DockhandError('report.unavailable', `Slack refused the upload of ${f.filename} (HTTP ${res.status})`, { hint: 'It is tried again on the next digest or click.', transient: true, status: res.status });
  await api.files.completeUploadExternal({
    files: [{ id: got.file_id, title: f.title }],
    ...(f.channelId ? { channel_id: f.channelId } : {}),
    ...(f.channelId && f.threadTs ? { thread_ts: f.threadTs } : {}),
    ...(f.comment ? { initial_comment: f.comment } : {}),
  });
  return got.file_id;
}

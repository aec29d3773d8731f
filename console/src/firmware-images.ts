/**
 * Firmware and software images: the list with size and SHA-256 (GET /api/firmware), an
 * upload (the chosen file as the body of POST /api/firmware?name=&version=&deviceType=&kind=)
 * and a delete (refused by the API while an update or an active campaign uses the image).
 * Upload and delete need a write-scoped token.
 */
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, upload } from './api.js';
import type { FirmwareImage } from './types.js';
import { bytes, problemText } from './firmware-parts.js';

/** A label the API takes (1 to 100 printable ASCII characters, no spaces at the ends) made of a file name. */
function labelOf(fileName: string): string {
  return fileName
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .slice(0, 100)
    .trim();
}

const EMPTY = { name: '', version: '', deviceType: '', kind: 'firmware' };

function UploadForm({ onDone }: { onDone: (m: FirmwareImage) => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const field = (k: keyof typeof form) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    setForm((f) => ({ ...f, [k]: v }));
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setMessage(undefined);
    const q = new URLSearchParams({ name: form.name.trim(), version: form.version.trim(), deviceType: form.deviceType.trim(), kind: form.kind });
    const r = await upload<FirmwareImage>(`/api/firmware?${q.toString()}`, file);
    setBusy(false);
    if (r.ok) {
      setMessage({ ok: true, text: `Uploaded ${r.body.name} ${r.body.version}: ${bytes(r.body.size)}, SHA-256 ${r.body.sha256}` });
      setForm(EMPTY);
      setFile(undefined);
      (e.target as HTMLFormElement).reset();
      onDone(r.body);
    } else setMessage({ ok: false, text: r.status === 413 ? `The image is larger than the gateway takes (firmware.maxImageBytes). ${problemText(r)}` : problemText(r) });
  };
  const ready = file !== undefined && form.name.trim() !== '' && form.version.trim() !== '' && form.deviceType.trim() !== '' && !busy;
  return html`<form class="upload grid-form" onSubmit=${submit}>
    <label class="wide">Image file <input type="file" name="image" onChange=${(e: Event) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      setFile(f);
      if (f) setForm((x) => (x.name.trim() ? x : { ...x, name: labelOf(f.name) }));
    }} /></label>
    <label>Name <input name="name" maxLength="100" value=${form.name} onInput=${field('name')} required /></label>
    <label>Version <input name="version" maxLength="100" placeholder="as the device will report it (/3/0/3)" value=${form.version} onInput=${field('version')} required /></label>
    <label>Device type <input name="deviceType" maxLength="100" value=${form.deviceType} onInput=${field('deviceType')} required /></label>
    <label>Kind
      <select name="kind" value=${form.kind} onChange=${field('kind')}>
        <option value="firmware">firmware (object 5)</option>
        <option value="software">software (object 9)</option>
      </select>
    </label>
    <div class="wide"><button type="submit" disabled=${!ready}>${busy ? 'Uploading...' : 'Upload'}</button>
      ${file ? html` <span class="muted">${file.name}, ${bytes(file.size)}</span>` : null}</div>
    ${message ? html`<p class=${`wide ${message.ok ? 'note' : 'error'}`} role=${message.ok ? 'status' : 'alert'}>${message.text}</p>` : null}
  </form>`;
}

export function ImageList({ images, write, onChange }: { images: FirmwareImage[]; write: boolean; onChange: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const remove = async (m: FirmwareImage): Promise<void> => {
    if (!confirm(`Delete the image ${m.name} ${m.version}?`)) return;
    const r = await api('DELETE', `/api/firmware/${encodeURIComponent(m.id)}`);
    setError(r.ok ? undefined : `${m.name} ${m.version}: ${problemText(r)}`);
    onChange();
  };
  return html`<div class="images">
    ${write ? html`<details class="card upload-card"><summary>Upload an image</summary><${UploadForm} onDone=${onChange} /></details>` : null}
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${images.length === 0
      ? html`<p class="muted">No image yet.</p>`
      : html`<div class="scroll"><table class="images">
          <thead><tr><th>Name</th><th>Version</th><th>Device type</th><th>Kind</th><th>Size</th><th>SHA-256</th><th>Added</th>${write ? html`<th></th>` : null}</tr></thead>
          <tbody>
            ${images.map(
              (m) => html`<tr key=${m.id} data-image=${m.id}>
                <td>${m.name}</td>
                <td>${m.version}</td>
                <td>${m.deviceType}</td>
                <td>${m.kind}</td>
                <td class="num" title=${`${m.size} bytes`}>${bytes(m.size)}</td>
                <td><code class="sha">${m.sha256}</code></td>
                <td title=${m.createdAt}>${new Date(m.createdAt).toLocaleString()}</td>
                ${write ? html`<td><button class="small danger" onClick=${() => void remove(m)}>Delete</button></td>` : null}
              </tr>`,
            )}
          </tbody>
        </table></div>`}
  </div>`;
}

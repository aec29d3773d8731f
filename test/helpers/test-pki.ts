/**
 * Certificates made at test time by the openssl command line in a temporary folder: a
 * trusted CA, an untrusted one, and P-256 keys with certificates issued by either.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';
export const noOpensslCli = !existsSync(OPENSSL) && 'openssl is not installed';

export interface Issued {
  /** PEM files */
  cert: string;
  key: string;
  /** the DER SubjectPublicKeyInfo of the key */
  spki: Buffer;
}

function openssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL, args, { cwd, stdio: 'pipe' });
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'lwm2m-pki-'));
  private serial = 1;

  constructor() {
    this.ca('ca', 'Trusted Test CA');
    this.ca('other-ca', 'Untrusted Test CA');
  }

  /** the trusted CA's PEM file */
  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  get otherCaFile(): string {
    return join(this.dir, 'other-ca.pem');
  }

  private ca(name: string, cn: string): void {
    this.key(name);
    writeFileSync(join(this.dir, `${name}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
    openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-days', '2', '-sha256', '-out', `${name}.pem`, '-extensions', 'v3_ca'], this.dir);
  }

  /** A new P-256 key (SEC1 PEM) in `<name>.key`. */
  key(name: string): string {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], this.dir);
    return join(this.dir, `${name}.key`);
  }

  /** A CA `name` issued by the trusted CA: certificates it issues chain through it. */
  intermediate(name: string): Issued {
    const key = this.key(name);
    writeFileSync(join(this.dir, `${name}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
    this.sign(name, `Intermediate ${name}`, 'ca');
    return { cert: join(this.dir, `${name}.pem`), key, spki: spkiOf(key) };
  }

  private sign(name: string, cn: string, issuer: string): void {
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], this.dir);
    const serial = String(this.serial++);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', serial, '-days', '1', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], this.dir);
  }

  /**
   * A key and a certificate with subject CN `cn`, issued by `issuer` ('ca', 'other-ca', an
   * intermediate's name, or a self-signed one: 'self'), with `extensions` lines added.
   */
  issue(name: string, cn: string, issuer = 'ca', extensions = ''): Issued {
    const key = this.key(name);
    writeFileSync(join(this.dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=IP:127.0.0.1\n${extensions}`);
    if (issuer === 'self') {
      openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-days', '1', '-sha256', '-out', `${name}.pem`], this.dir);
    } else {
      this.sign(name, cn, issuer);
    }
    return { cert: join(this.dir, `${name}.pem`), key, spki: spkiOf(key) };
  }

  /** the DER of the certificate in a PEM file */
  der(pemFile: string): Buffer {
    const text = readFileSync(pemFile, 'utf8');
    const b64 = text.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    return Buffer.from(b64, 'base64');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function spkiOf(keyFile: string): Buffer {
  return createPublicKey(createPrivateKey(readFileSync(keyFile))).export({ type: 'spki', format: 'der' });
}

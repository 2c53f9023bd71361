// The deployment files in deploy/ as the tools read them: HAProxy accepts its configuration (as the
// scale test generates it from deploy/haproxy.cfg, and as shipped), with the health checks and the
// retry rules the instances rely on; nginx accepts its caching proxy where nginx is installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { haproxyConfig } from './helpers/scale-cluster.ts';
import { describeUnless } from './helpers/skip.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'websig-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each config is checked by its own program (haproxy -c, nginx -t); skipped, with the reason, where that program is missing.
describeUnless(existsSync('/usr/sbin/haproxy') ? null : 'no haproxy (apt-get install haproxy)', 'deploy/haproxy.cfg', () => {
  it('is valid as shipped and as generated for instances on loopback', async () => {
    await run('/usr/sbin/haproxy', ['-c', '-f', 'deploy/haproxy.cfg']);
    const generated = join(dir, 'haproxy.cfg');
    writeFileSync(generated, haproxyConfig(18080, 18404, dir, [13001, 13002, 13003]));
    await run('/usr/sbin/haproxy', ['-c', '-f', generated]);
    const text = readFileSync(generated, 'utf8');
    expect(text.match(/^ {4}server app\d 127\.0\.0\.1:1300\d$/gm)).toHaveLength(3);
  });

  it('checks /ready, redispatches retries and never replays a request that may write', () => {
    const text = readFileSync('deploy/haproxy.cfg', 'utf8');
    expect(text).toMatch(/^ {4}http-check send meth GET uri \/ready$/m);
    expect(text).toMatch(/^ {4}option redispatch/m);
    expect(text).toMatch(/^ {4}retry-on .*empty-response/m);
    expect(text).toMatch(/^ {4}http-request disable-l7-retry unless METH_GET$/m);
  });
});

describeUnless(existsSync('/usr/sbin/nginx') ? null : 'no nginx (apt-get install nginx-light)', 'deploy/nginx.conf', () => {
  it('is valid nginx configuration (with the upstream on loopback)', async () => {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, readFileSync('deploy/nginx.conf', 'utf8').replace('server haproxy:80;', 'server 127.0.0.1:80;'));
    await run('/usr/sbin/nginx', ['-t', '-c', conf]);
  });
});

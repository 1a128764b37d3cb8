#!/usr/bin/env python3
"""Results of the e2e testbed (tests/e2e/run.sh).

  report.py collect --out DIR --scenario FILE [--precopy CLI] [--qemu-rc N] [--record-dir D]
      Reads DIR/serial.log (the QEMU serial console: Xen, dom0 and the dom0 runner's
      "E2E|..." lines), writes DIR/files/* (xl logs, recorded traces, guest consoles),
      DIR/results.json and DIR/results.txt, prints the table, and exits
        0  every migration that ran succeeded, the guest kept running, zero memory mismatches
        1  some migration failed (or, with E2E_STRICT=1, some migration was skipped)
        2  the testbed itself failed (QEMU timed out, the dom0 never finished, ...)
      With --record-dir, recorded traces are copied there as
      xen-<guest>-<workload>-<link>-<n>.csv with "# source=xen" in the header.

  report.py markdown --results-root DIR --output docs/e2e.md
      One table per scenario (every DIR/*/results.json), stock vs precopy, with the replay's
      prediction from each recorded trace next to what really happened.

Measurements, per migration:
  live_rounds   libxc's "Frames iteration N" progress lines before "Domain now suspended"
                (xl hides them; dom0 runs xl with the xl-showprogress.so shim)
  total_s       wall time of `xl migrate` in dom0
  downtime_ms   the guest's view: the largest gap tsloop saw (1 ms ticks) ending within the
                migration; baseline_ms is the largest gap in the 12 s before it (noise floor)
  bytes         bytes through the rate-limiting pipe (ratepipe) into `xl migrate-receive`
  mismatches    memcheck's lost-update count, from its first check after the migration
                up to the next migration; checks_after counts those verification passes
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

# ---------------------------------------------------------------------------------------
# parsing


def read_serial(path):
    """E2E| records and shipped files from the serial log."""
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8', 'replace').replace('\r', '')
    records, files, cur = [], {}, {}
    for line in text.split('\n'):
        i = line.find('E2E|')
        if i < 0:
            continue
        line = line[i:]
        parts = line.split('|')
        kind = parts[1] if len(parts) > 1 else ''
        if kind == 'FILE' and len(parts) >= 3:
            name = parts[2]
            cur.setdefault(name, []).append('|'.join(parts[3:]))
        elif kind == 'EOF' and len(parts) >= 3:
            files[parts[2]] = cur.pop(parts[2], [])
        else:
            records.append(parts)
    for name, lines in cur.items():  # truncated files (dom0 died mid-way)
        files[name] = lines
    return records, files


def kv(parts):
    d = {}
    for p in parts:
        if '=' in p:
            k, v = p.split('=', 1)
            d[k] = v
    return d


PROGRESS = re.compile(r'Frames iteration (\d+): (\d+)/(\d+)')
# libxl-save-helper's line for a peek at the dirty count inside a round (xen-patches/4.17, patch 5)
PEEK = re.compile(r'precopy round \d+: \d+ dirty after [0-9.]+s')


# Bytes the pipes between sender and receiver can hold (two kernel pipes, ratepipe's buffer and its
# token bucket): pages sent after the suspension beyond these must cross the link before the restore.
PIPE_SLACK_BYTES = 1 << 20


def stop_copy_link_ms(m):
    """The least time, in ms, the link needs for the pages sent after the guest was suspended, or
    None where it says nothing (an unlimited link, or too few pages to stand out from the buffers)."""
    rate = int(m.get('rate') or 0)
    pages = m.get('stop_copy_pages') or 0
    excess = pages * 4096 - PIPE_SLACK_BYTES
    if rate <= 0 or excess <= 0:
        return None
    return 1000.0 * excess / rate


def parse_xl_log(lines):
    """live rounds, pages per live round, stop-and-copy pages, precopy decision lines, peeks."""
    rounds = {}
    final_pages = 0
    suspended = False
    decisions, peeks = [], []
    for ln in lines:
        if PEEK.search(ln):
            peeks.append(ln.strip())
            continue
        if 'Domain now suspended' in ln:
            suspended = True
            continue
        m = PROGRESS.search(ln)
        if m:
            it, done, total = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if suspended:
                final_pages = max(final_pages, total)
            else:
                rounds[it] = max(rounds.get(it, 0), total)
            # libxc's progress line ends in '\r', not '\n', so the next stderr line (libprecopy's
            # decision) can share its line.
            shared = ln.find('precopy: ', m.end())
            if shared >= 0:
                decisions.append(ln[shared:].strip())
            continue
        low = ln.lower()
        if 'precopy' in low and not ln.startswith('# '):
            decisions.append(ln.strip())
    live = [rounds[k] for k in sorted(rounds)]
    stop_reason = None
    for ln in decisions:
        m = re.search(r'decision=stop\b.*?reason="([^"]*)"', ln)
        if m:
            r = re.search(r'round=(\d+)', ln)
            stop_reason = 'round %s: %s' % (r.group(1) if r else '?', m.group(1))
            break
    return {'live_rounds': len(live), 'pages_per_round': live,
            'stop_copy_pages': final_pages, 'decision_lines': decisions, 'peek_lines': peeks,
            'stop_reason': stop_reason}


def parse_console(lines):
    """(gaps, checks, mismatch lines, processes the guest kernel killed for lack of memory, the clock
    the downtime observer timed its gaps on: 'boottime', 'monotonic', or None if it never started)."""
    gaps, checks, mismatch_lines, oom_killed = [], [], [], []
    clock = None
    seen = set()
    for ln in lines:
        ln = ln.strip()
        if ln in seen:  # console logs of the domain before/after a migration may overlap
            continue
        seen.add(ln)
        if 'E2E TSLOOP start' in ln:
            # An observer built before it timed gaps on CLOCK_BOOTTIME (tsloop.c) names no clock: its
            # gaps miss the time the guest spent suspended.
            clock = kv(ln.split()).get('clock', 'monotonic')
        elif 'E2E GAP' in ln:
            d = kv(ln.split())
            try:
                gaps.append((float(d['wall_end']), float(d['gap_ms'])))
            except (KeyError, ValueError):
                pass
        elif 'E2E CHECK' in ln:
            d = kv(ln.split())
            try:
                checks.append((float(d['wall']), int(d['bad_total']), int(d['pass'])))
            except (KeyError, ValueError):
                pass
        elif 'E2E MISMATCH' in ln:
            mismatch_lines.append(ln)
        elif 'Out of memory: Killed process' in ln:
            mo = re.search(r'Killed process \d+ \(([^)]*)\)', ln)
            oom_killed.append(mo.group(1) if mo else '?')
    gaps.sort()
    checks.sort()
    return gaps, checks, mismatch_lines, oom_killed, clock


def workload_steps(lines):
    """The wall times at which the guest's writer changed its rate (workload step), in order."""
    walls = []
    for ln in lines:
        if 'E2E MEMCHECK step' in ln:
            try:
                walls.append(float(kv(ln.split())['wall']))
            except (KeyError, ValueError):
                pass
    return sorted(set(walls))


def workload_failures(lines):
    """What the guest said of a workload that stopped working (a compiler that failed), in order."""
    out = []
    for ln in lines:
        i = ln.find('E2E WORK ')
        if i >= 0 and ' failed' in ln[i:]:
            msg = ln[i + len('E2E WORK '):].strip()
            if msg not in out:
                out.append(msg)
    return out


# ---------------------------------------------------------------------------------------
# traces and replay


def read_trace(lines):
    """The header lines and the round rows; the rows of a section (the curve's peeks) are not
    rounds and are left out."""
    header, rows = [], []
    for ln in lines:
        ln = ln.strip()
        if not ln:
            continue
        if ln.startswith('# section='):
            break
        if ln.startswith('#'):
            header.append(ln)
        elif ln[0].isdigit():
            rows.append(ln.split(','))
    return header, rows


def count_peeks(lines):
    """Rows of the trace's curve section: peeks at the dirty count inside rounds."""
    in_curve, n = False, 0
    for ln in lines:
        ln = ln.strip()
        if ln.startswith('# section='):
            in_curve = ln == '# section=curve'
        elif in_curve and ln[:1].isdigit():
            n += 1
    return n


def normalise_trace(lines, workload, link):
    """Makes sure the header says source=xen and names the workload and the link."""
    out, has_source = [], False
    extra = [('workload', workload), ('link', link)]
    for ln in lines:
        ln = ln.rstrip('\n')
        if ln.startswith('#') and 'source=' in ln:
            has_source = True
            # a trace recorded from a real Xen migration is source=xen, whatever the recorder
            # wrote (libprecopy writes source=precopy)
            ln = re.sub(r'source=[^;]*', 'source=xen', ln)
            for k, v in extra:
                if k + '=' not in ln:
                    ln = ln.rstrip() + '; %s=%s' % (k, v)
        out.append(ln)
    if not has_source:
        # insert after the magic line and the parameters line(s)
        i = 1
        while i < len(out) and out[i].startswith('#') and 'section=' not in out[i]:
            i += 1
        out.insert(i, '# source=xen; ' + '; '.join('%s=%s' % kv for kv in extra))
    return '\n'.join(out) + '\n'


def replay_loop(integration, decision_lines):
    """The save loop a migration's decisions were taken in: patched for the patched tools; for the
    preload the stock protocol, with the round's count read at the call after it (stock-peek) where
    its log says so (at=after-peek), else blind there (stock)."""
    if integration != 'preload':
        return 'patched'
    return 'stock-peek' if any('at=after-peek' in ln for ln in decision_lines) else 'stock'


def replay(cli, policy, trace_path, loop):
    """`precopy replay --json` of the recorded trace under the migration's own policy and save
    loop (replay_loop); the last JSON object, or {'error': ...}."""
    if not cli or not os.access(cli, os.X_OK):
        return {'error': 'precopy CLI not built'}
    parts = [p for p in policy.split(',') if p]
    cmd = [cli, 'replay', '--json', '--policy', parts[0], '--loop', loop]
    for kv_ in parts[1:]:
        cmd += ['--set', kv_]
    cmd.append(trace_path)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {'error': str(e)}
    objs = []
    for ln in r.stdout.splitlines():
        try:
            objs.append(json.loads(ln))
        except ValueError:
            pass
    if r.returncode == 0 and objs:
        return objs[-1]
    return {'error': (r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]}


# ---------------------------------------------------------------------------------------
# collect


def collect(a):
    out = a.out
    serial = os.path.join(out, 'serial.log')
    if not os.path.exists(serial):
        print('e2e: no serial log at %s' % serial, file=sys.stderr)
        return 2
    records, files = read_serial(serial)
    fdir = os.path.join(out, 'files')
    os.makedirs(fdir, exist_ok=True)
    for name, lines in files.items():
        with open(os.path.join(fdir, os.path.basename(name)), 'w') as f:
            f.write('\n'.join(lines) + '\n')

    consoles, steps, work_failed = {}, {}, {}
    for name, lines in files.items():
        if name.endswith('.console'):
            consoles[name[:-len('.console')]] = parse_console(lines)
            steps[name[:-len('.console')]] = workload_steps(lines)
            work_failed[name[:-len('.console')]] = workload_failures(lines)

    migs, testbed_errors = [], []
    guide = {'blocks': [], 'checks': []}
    ended = False
    for parts in records:
        kind = parts[1] if len(parts) > 1 else ''
        d = kv(parts[2:])
        if kind == 'GUIDE' and len(parts) > 2:
            d = kv(parts[3:])
            if parts[2] == 'BLOCK':
                guide['blocks'].append(d)
            elif parts[2] == 'CHECK':
                d['ok'] = d.get('ok') == '1'
                guide['checks'].append(d)
        elif kind == 'MIG':
            d['status'] = 'ran'
            migs.append(d)
        elif kind == 'SKIP':
            d['status'] = 'skipped'
            migs.append(d)
        elif kind == 'GUESTFAIL':
            testbed_errors.append('guest %s: %s' % (d.get('guest'), d.get('reason')))
        elif kind == 'FATAL':
            testbed_errors.append('|'.join(parts[2:]))
        elif kind == 'END':
            ended = True
    if not ended:
        testbed_errors.append('the dom0 runner did not finish (QEMU rc=%s)' % a.qemu_rc)
    migs.sort(key=lambda m: int(m.get('n', 0)))

    # per-guest ordering, to bound each migration's memory-check window
    by_guest = {}
    for m in migs:
        if m['status'] == 'ran':
            by_guest.setdefault(m['guest'], []).append(m)

    record_counts = {}
    for m in migs:
        n = m.get('n')
        if m['status'] != 'ran':
            m['ok'] = None
            continue
        t0, t1 = float(m['t0']), float(m['t1'])
        m['total_s'] = round(t1 - t0, 2)
        m['bytes'] = int(m['bytes']) if m.get('bytes', '').isdigit() else None
        xl = parse_xl_log(files.get('m%s.log' % n, []))
        m.update(xl)
        gaps, checks, mism, oom_killed, m['downtime_clock'] = consoles.get(m['guest'], ([], [], [], [], None))
        # Where a step workload changed its rate, in seconds from this migration's start (negative:
        # before it), so that the trace's rounds can be read as before and after the step.
        if steps.get(m['guest']):
            m['workload_step_s'] = round(steps[m['guest']][0] - t0, 2)
        during = [g for (w, g) in gaps if t0 <= w <= t1 + 2.0]
        # The noise floor: the 12 s before, but not the guest's previous migration (its pause ends
        # up to 2 s after xl returns, and migrations of a guest are a few seconds apart).
        prev = [float(x['t1']) for x in by_guest[m['guest']] if x.get('t1') and float(x['t1']) < t0]
        since = max([t0 - 12.0] + [t + 2.0 for t in prev])
        before = [g for (w, g) in gaps if since <= w < t0 - 0.5]
        m['downtime_ms'] = round(max(during), 1) if during else None
        m['baseline_ms'] = round(max(before), 1) if before else 0.0
        # memory: checks after this migration and before the guest's next one
        nxt = [float(x['t0']) for x in by_guest[m['guest']] if float(x['t0']) > t0]
        t_end = min(nxt) if nxt else float('inf')
        prior = [c[1] for c in checks if c[0] <= t0]
        after = [c for c in checks if t1 < c[0] < t_end]
        base = max(prior) if prior else 0
        m['checks_after'] = len(after)
        m['mismatches'] = (max(c[1] for c in after) - base) if after else None
        # recorded trace
        tr = files.get('m%s.csv' % n)
        if tr:
            header, rows = read_trace(tr)
            m['trace_rounds'] = len(rows)
            m['trace_peeks'] = count_peeks(tr)
            wl = m.get('workload', 'unknown').replace(':', '-')
            link = m.get('link', 'link')
            text = normalise_trace(tr, m.get('workload', 'unknown'), link)
            tpath = os.path.join(fdir, 'm%s.csv' % n)
            with open(tpath, 'w') as f:
                f.write(text)
            m['trace_file'] = tpath
            if m.get('policy') and m['policy'] != '-':
                m['replay'] = replay(a.precopy, m['policy'], tpath,
                                     replay_loop(m['integration'], m.get('decision_lines', [])))
        state = m.get('state', 'gone')
        problems = []
        if m.get('rc') != '0':
            problems.append('xl migrate rc=%s' % m.get('rc'))
        if m.get('alive') != '1':
            problems.append('guest not running after migration (no memcheck pass)')
        if state == 'gone' or 'p' in state or 'c' in state:
            problems.append('guest state %s' % state)
        if m['mismatches'] is None:
            problems.append('no memory check after migration')
        elif m['mismatches'] != 0:
            problems.append('%d memory mismatches' % m['mismatches'])
        if oom_killed:
            problems.append('the guest ran out of memory (its kernel killed %s): give it more memory '
                            '(guest ... memory=)' % ', '.join(sorted(set(oom_killed))))
        # A workload that died measured a guest that no longer does what the scenario names.
        for msg in work_failed.get(m['guest'], []):
            problems.append('the guest\'s workload stopped: %s' % msg)
        # The guest is paused from the moment it is suspended until the receiver has every page
        # sent after that, and those pages pass the rate-limited pipe: a shorter pause than the link
        # needs for them (less the pipes' few hundred KiB of buffering) was not measured right.
        link_ms = stop_copy_link_ms(m)
        if link_ms is not None and m['downtime_ms'] is not None and m['downtime_ms'] < 0.5 * link_ms:
            problems.append('the guest saw a %.0f ms pause, but its %d stop-and-copy pages need at '
                            'least %.0f ms on the link: the downtime observer missed the suspension'
                            % (m['downtime_ms'], m['stop_copy_pages'], link_ms))
        if m['integration'] != 'stock' and not m['decision_lines']:
            m['note'] = 'no precopy decision line in the log'
        # The patched tools peek at the dirty count after each full batch (1024 pages) of a round
        # (xen-patches/4.17, patches 4 and 5); round 1 sends all of memory, so none means they did not.
        if (m['integration'] == 'patched' and m.get('pages_per_round')
                and m['pages_per_round'][0] > 1024 and not m.get('peek_lines')
                and not m.get('trace_peeks')):
            problems.append('the patched tools took no peek at the dirty count (xen-patches/4.17 '
                            'patches 4 and 5 not in effect?)')
        if (not ended and problems == ['no memory check after migration']
                and m.get('alive') == '1' and m['guest'] + '.console' not in files):
            # the run was cut short before this guest's console was shipped; dom0 did see the
            # guest pass a memory check after the migration (alive=1), but the count is lost
            problems = ['incomplete: run cut short before the guest console was shipped '
                        '(dom0 saw a memory check after the migration)']
        m['problems'] = problems
        m['ok'] = not problems
        # A failed migration's trace stays in files/ but is not added to the corpus: it may be of a
        # guest whose workload died, not of the workload it names.
        if tr and a.record_dir and not problems:
            os.makedirs(a.record_dir, exist_ok=True)
            stem = 'xen-%s-%s-%s-' % (m['guest'], wl, link)
            k = record_counts.get(stem, 0)
            while True:  # next free number; an identical trace already there is reused
                k += 1
                dest = os.path.join(a.record_dir, '%s%d.csv' % (stem, k))
                if not os.path.exists(dest):
                    shutil.copyfile(tpath, dest)
                    break
                with open(dest) as f:
                    if f.read() == text:
                        break
            record_counts[stem] = k
            m['recorded_as'] = os.path.relpath(dest, os.path.dirname(os.path.dirname(a.record_dir)))
    all_mismatch_lines = sum((len(c[2]) for c in consoles.values()), 0)

    guide_expected = scenario_directive(a.scenario, 'operator_guide')
    guide_problems = judge_guide(guide, guide_expected)
    res = {'scenario': a.scenario_name, 'scenario_file': a.scenario, 'qemu_rc': a.qemu_rc,
           'testbed_errors': testbed_errors, 'migrations': migs,
           'mismatch_lines': all_mismatch_lines}
    if guide_expected:
        guide['guest'] = guide_expected
        guide['problems'] = guide_problems
        guide['log'] = 'files/guide.log' if 'guide.log' in files else None
        res['operator_guide'] = guide
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1)
    table = format_table(migs) if migs else ''
    if guide_expected:
        table += ('\n' if table else '') + format_guide(guide)
    with open(os.path.join(out, 'results.txt'), 'w') as f:
        f.write(table)
    print(table)

    failed = [m for m in migs if m['ok'] is False]
    skipped = [m for m in migs if m['status'] == 'skipped']
    ran = [m for m in migs if m['status'] == 'ran']
    for m in failed:
        print('FAIL migration %s (%s, %s): %s%s' % (m['n'], m['integration'], m.get('policy'),
                                                     '; '.join(m['problems']),
                                                     ' (its trace is not recorded)' if m.get('trace_file')
                                                     and a.record_dir else ''))
    for m in ran:
        if m.get('note'):
            print('NOTE migration %s (%s): %s' % (m['n'], m['integration'], m['note']))
    if skipped:
        bar = '!' * 78
        print(bar)
        for m in skipped:
            print('SKIPPED migration %s (%s %s): %s' % (m['n'], m['integration'], m.get('policy'),
                                                       m.get('reason')))
        print(bar)
    if all_mismatch_lines:
        print('FAIL: %d memcheck MISMATCH lines in guest consoles' % all_mismatch_lines)
    for e in guide_problems:
        print('FAIL operator\'s guide: %s' % e)
    for e in testbed_errors:
        print('TESTBED ERROR: %s' % e)
    print('e2e: %d ran, %d passed, %d failed, %d skipped' % (
        len(ran), len(ran) - len(failed), len(failed), len(skipped)))
    if guide_expected:
        n_blocks = len([b for b in guide['blocks'] if 'skipped' not in b])
        n_checks = len(guide['checks'])
        print('operator\'s guide: %d command blocks run, %d checks, %s' % (
            n_blocks, n_checks, 'all pass' if not guide_problems else '%d problem(s)' % len(guide_problems)))
    print('%d passed, %d failed' % (len(ran) - len(failed), len(failed)))
    if testbed_errors or not (ran or guide_expected):
        return 2
    if failed or all_mismatch_lines or guide_problems:
        return 1
    if skipped and os.environ.get('E2E_STRICT') == '1':
        return 1
    return 0


def scenario_directive(path, directive):
    """The first argument of the scenario file's first DIRECTIVE line (`scenario NAME`,
    `operator_guide GUEST`), or None."""
    with open(path) as f:
        for ln in f:
            mm = re.match(r'\s*%s\s+(\S+)' % directive, ln)
            if mm:
                return mm.group(1)
    return None


def judge_guide(guide, expected_guest):
    """What went wrong in the operator's guide walk-through (empty: it worked as written)."""
    if not expected_guest:
        return []
    problems = []
    ran = [b for b in guide['blocks'] if 'skipped' not in b]
    if not ran:
        problems.append('no block of docs/operators-guide.md ran')
    for b in ran:
        if b.get('failed_commands') != '0':
            problems.append('block %s (%s): %s failed command(s), see files/guide.log' % (
                b.get('n'), b.get('section'), b.get('failed_commands')))
    for c in guide['checks']:
        if not c['ok']:
            problems.append('block %s: %s: %s' % (c.get('n'), c.get('what'), c.get('detail')))
    if ran and not any(c['what'] == 'precopy decided' for c in guide['checks']):
        problems.append('no migration of the guide ran under precopy')
    if ran and not any(c['what'] == 'libprecopy0 purged' for c in guide['checks']):
        problems.append('the guide\'s purge step did not run')
    return problems


def format_guide(guide):
    lines = ['operator\'s guide (docs/operators-guide.md) on guest %s:' % guide.get('guest')]
    checks = {}
    for c in guide['checks']:
        checks.setdefault(c.get('n'), []).append(c)
    for b in guide['blocks']:
        if 'skipped' in b:
            lines.append('  block %s  %-28s skipped: %s' % (b.get('n'), b.get('section', '')[:28], b['skipped']))
            continue
        lines.append('  block %s  %-28s %s failed command(s)  $ %s' % (
            b.get('n'), b.get('section', '')[:28], b.get('failed_commands'), b.get('first_line', '')[:70]))
        for c in checks.get(b.get('n'), []):
            lines.append('      %s %s: %s' % ('ok  ' if c['ok'] else 'FAIL', c.get('what'), c.get('detail', '')[:150]))
    for c in checks.get('0', []):
        lines.append('  %s %s: %s' % ('ok  ' if c['ok'] else 'FAIL', c.get('what'), c.get('detail')))
    return '\n'.join(lines) + '\n'


def fmt(v, spec='%s'):
    return '-' if v is None else spec % v


def format_table(migs):
    head = ['n', 'guest', 'workload', 'link', 'integration', 'policy', 'ok', 'rounds',
            'final_pages', 'total_s', 'downtime_ms', 'baseline_ms', 'MB_sent', 'mismatch', 'decisions']
    rows = [head]
    for m in migs:
        if m['status'] != 'ran':
            rows.append([m.get('n'), m.get('guest'), '', m.get('link'), m.get('integration'),
                         m.get('policy'), 'SKIP', '', '', '', '', '', '', '', ''])
            continue
        rows.append([m['n'], m['guest'], m.get('workload'), m['link'], m['integration'],
                     m.get('policy'), 'yes' if m['ok'] else 'NO', m['live_rounds'],
                     m['stop_copy_pages'], fmt(m['total_s'], '%.1f'), fmt(m['downtime_ms'], '%.0f'),
                     fmt(m['baseline_ms'], '%.0f'),
                     fmt(m['bytes'] and m['bytes'] / 1e6, '%.1f'), fmt(m['mismatches']),
                     len(m['decision_lines'])])
    w = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    return '\n'.join('  '.join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in rows) + '\n'


# ---------------------------------------------------------------------------------------
# markdown


def scenario_file_shown(path):
    """A scenario file as the report names it: relative to the repository it came from, so results
    collected in another clone (a fresh-clone CI run) name the same file as the clone's own."""
    parts = os.path.normpath(path).split(os.sep)
    for i in range(len(parts) - 2):
        if parts[i:i + 3] == ['tests', 'e2e', 'scenarios']:
            return '/'.join(parts[i:])
    return os.path.relpath(path, os.getcwd())


def markdown(a):
    paths = sorted(glob.glob(os.path.join(a.results_root, '*', 'results.json')))
    out = ['# End-to-end results: real `xl migrate` under Xen 4.17 in QEMU (TCG)', '',
           'Generated by `tests/e2e/report.py markdown` from the results of '
           '`tests/e2e/run.sh SCENARIO` (see tests/e2e/README.md). Do not edit by hand.', '',
           'Every migration is a real live migration of a running PV guest to localhost '
           '(`xl migrate -s \'\' GUEST \'ratepipe -r RATE | xl migrate-receive -e\'`) inside '
           'Xen 4.17.5 with a PV dom0, all under QEMU TCG on 2 host cores, so absolute times are '
           'those of an emulated machine (dom0 moves roughly 40-50 MB/s). Integrations: '
           '**stock** = Debian\'s Xen tools, Xen\'s own policy; **preload** = stock binaries with '
           '`LIBXL_SAVE_HELPER=precopy-save-helper` and `PRECOPY_POLICY`; **patched** = Xen tools '
           'rebuilt from Debian\'s source with xen-patches/4.17, `xl migrate --precopy-policy=`.', '',
           'Columns: *rounds* = live pre-copy rounds (from libxc\'s progress lines); *total* = '
           'wall time of `xl migrate`; *downtime* = the largest gap seen by a 1 ms timestamp loop '
           'inside the guest during the migration, on CLOCK_BOOTTIME, which counts the time the guest '
           'spent suspended (*noise* = largest gap in the 12 s before it; † = timed on CLOCK_MONOTONIC '
           'by the observer of runs before that fix, which leaves the suspension out: the stop-and-copy '
           'is missing from those figures, and the replay column is the better guide there); '
           '*MB* = bytes through the migration pipe; *mismatch* = lost page updates found by the '
           'guest\'s memory checker after the migration (must be 0); *stop-copy pages* = pages '
           'sent after the guest was suspended; *precopy decision* = libprecopy\'s decision log '
           '(`PRECOPY_LOG_LEVEL=info`) and the reason of its first "stop"; *replay* = what '
           '`precopy replay --json --policy P` predicts from the trace recorded during that '
           'very migration (live rounds / downtime).', '']
    if not paths:
        out.append('_No results yet: run `tests/e2e/run.sh --report tests/e2e/scenarios/ci.conf`._')
    for p in paths:
        with open(p) as f:
            r = json.load(f)
        out += ['## Scenario `%s`' % r['scenario'], '',
                'Scenario file: `%s`' % scenario_file_shown(r['scenario_file'])
                if r.get('scenario_file') else '', '']
        for e in r.get('testbed_errors', []):
            out.append('**Testbed error:** %s  ' % e)
        out += ['| # | guest | workload | link | integration | policy | ok | rounds | stop-copy pages | total s | '
                'downtime ms | noise ms | MB | mismatch | precopy decision | replay: rounds / downtime ms |',
                '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
        for m in r['migrations']:
            if m['status'] != 'ran':
                out.append('| %s | %s | | %s | %s | %s | **skipped**: %s | | | | | | | | | |' % (
                    m.get('n'), m.get('guest'), m.get('link'), m.get('integration'),
                    m.get('policy'), m.get('reason')))
                continue
            rp = m.get('replay')
            if rp and 'error' not in rp:
                dt = rp.get('downtime_s')
                rps = '%s / %s' % (rp.get('live_rounds'), fmt(dt is not None and dt * 1000 or None, '%.0f'))
                if 'ran off the end' in rp.get('reason', ''):
                    rps += ' (ran off the end of the trace)'
            elif rp:
                rps = 'n/a (%s)' % rp['error'][:60]
            else:
                rps = ''
            if m['integration'] == 'stock':
                dec = 'Xen\'s own'
            elif m.get('stop_reason'):
                dec = '%d lines; stop at %s' % (len(m['decision_lines']), m['stop_reason'])
            else:
                dec = '%d lines' % len(m['decision_lines'])
            if m.get('peek_lines'):
                dec += ' (and %d peeks)' % len(m['peek_lines'])
            wl = m.get('workload')
            if m.get('workload_step_s') is not None:
                wl = '%s (step at %+.1f s)' % (wl, m['workload_step_s'])
            out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                m['n'], m['guest'], wl, m['link'], m['integration'],
                m.get('policy') if m.get('policy') != '-' else '',
                'yes' if m['ok'] else '**NO** (%s)' % '; '.join(m['problems']),
                m['live_rounds'], m.get('stop_copy_pages', ''), fmt(m['total_s'], '%.1f'),
                fmt(m['downtime_ms'], '%.0f') + ('' if m.get('downtime_clock') == 'boottime'
                                                  or m['downtime_ms'] is None else ' †'),
                fmt(m['baseline_ms'], '%.0f') if m['baseline_ms'] else '<20',
                fmt(m['bytes'] and m['bytes'] / 1e6, '%.1f'),
                fmt(m['mismatches']), dec, rps))
        g = r.get('operator_guide')
        if g:
            out += ['', 'The operator\'s guide, followed literally on guest `%s` '
                    '(docs/operators-guide.md, every command block in order; files/guide.log has the '
                    'session): %s' % (g.get('guest'), '**all checks pass**' if not g.get('problems')
                                       else '**FAILED**: ' + '; '.join(g['problems'])), '',
                    '| block | section | first command | failed commands | checks |', '|---|---|---|---|---|']
            checks = {}
            for c in g.get('checks', []):
                checks.setdefault(c.get('n'), []).append(c)
            for b in g.get('blocks', []):
                if 'skipped' in b:
                    out.append('| %s | %s | | | %s |' % (b.get('n'), b.get('section'), b['skipped']))
                    continue
                cs = '; '.join('%s %s' % ('ok' if c['ok'] else '**FAIL**', c.get('what'))
                               for c in checks.get(b.get('n'), []))
                out.append('| %s | %s | `%s` | %s | %s |' % (
                    b.get('n'), b.get('section'), b.get('first_line', '').strip()[:60].replace('|', '/'),
                    b.get('failed_commands'), cs))
        dl = [(m['n'], m['decision_lines'][:2]) for m in r['migrations']
              if m['status'] == 'ran' and m.get('decision_lines')]
        if dl:
            out += ['', 'First precopy decision lines per migration:', '', '```']
            for n, lines in dl:
                for ln in lines:
                    out.append('#%s %s' % (n, ln[:160]))
            out.append('```')
        out.append('')
    text = '\n'.join(out) + '\n'
    with open(a.output, 'w') as f:
        f.write(text)
    print('wrote %s (%d scenario(s))' % (a.output, len(paths)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('collect')
    c.add_argument('--out', required=True)
    c.add_argument('--scenario', required=True)
    c.add_argument('--precopy', default='')
    c.add_argument('--qemu-rc', default='0')
    c.add_argument('--record-dir', default='')
    m = sub.add_parser('markdown')
    m.add_argument('--results-root', required=True)
    m.add_argument('--output', required=True)
    a = ap.parse_args()
    if a.cmd == 'collect':
        a.scenario_name = scenario_directive(a.scenario, 'scenario') or os.path.basename(a.out.rstrip('/'))
        return collect(a)
    return markdown(a)


if __name__ == '__main__':
    sys.exit(main())

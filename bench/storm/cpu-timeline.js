'use strict';
// CPU over time for bench/storm: every 20 ms, the machine's busy time (/proc/stat) and each
// watched process's utime + stime (/proc/<pid>/stat), so a run can say who had the cores between
// two moments: e.g. from the first webhook to the last critical mail, when the cores decide
// whether the critical target can be met at all. Clock ticks are 10 ms, so a window is good to
// about ±0.01 s per process.

const fs = require('node:fs');

const CLK_TCK = 100;
const INTERVAL_MS = 20;

function processTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/** Busy and total ticks of all cores together (the first line of /proc/stat). */
function machineTicks() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Starts sampling `pids` ({name: pid}) now. `window(fromMs, toMs)` (epoch ms) gives CPU seconds
 * per name in that window, `machine` (busy CPU s of all cores) and `cores` (busy ÷ elapsed).
 */
function startCpuTimeline(pids) {
  const names = Object.keys(pids);
  const samples = [];
  const sample = () => {
    const m = machineTicks();
    samples.push({ at: Date.now(), busy: m.busy, total: m.total, procs: names.map((n) => processTicks(pids[n])) });
  };
  sample();
  const timer = setInterval(sample, INTERVAL_MS);
  const at = (ms) => samples.find((s) => s.at >= ms) ?? samples[samples.length - 1];
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
    window(fromMs, toMs) {
      const a = at(fromMs);
      const b = at(toMs);
      const seconds = Math.max(0.001, (b.at - a.at) / 1000);
      const perProcess = Object.fromEntries(names.map((n, i) => [n, Number(((b.procs[i] - a.procs[i]) / CLK_TCK).toFixed(2))]));
      const machine = (b.busy - a.busy) / CLK_TCK;
      const totalCores = (b.total - a.total) / CLK_TCK / seconds;
      return { fromMs: a.at, toMs: b.at, seconds: Number(seconds.toFixed(2)), machine: Number(machine.toFixed(2)), cores: Number((machine / seconds).toFixed(2)), ofCores: Math.round(totalCores), perProcess };
    },
  };
}

/** utime + stime of a process, in seconds (NaN once it has gone). */
const cpuSeconds = (pid) => processTicks(pid) / CLK_TCK;

module.exports = { startCpuTimeline, cpuSeconds };

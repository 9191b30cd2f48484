// SPDX-License-Identifier: GPL-2.0

//! Parallel metadata benchmark, in the spirit of mdtest and fxmark's
//! MWCM/MWUM/MWRM: N threads create, stat, list, rename and unlink files,
//! either all in one shared directory or each in its own directory.  Each
//! phase is timed separately; every (layout, threads) point is repeated and
//! the minimum and median throughput reported.
//!
//! Also: a `ls -l`-style walk (getdents + stat of every entry) of a large
//! directory after the dentry cache is dropped.
//!
//! Each phase also records what the whole machine spent on it, from
//! /proc/stat: CPU time (busy = everything but idle and iowait) and context
//! switches, per operation.  That is what says whether a throughput limit
//! is the directory lock (CPUs idle, threads waiting) or the CPUs.
//!
//! Output: one JSON object per line on stdout (the host collects them),
//! progress on stderr.  Runs inside the test VM; no dependencies.

use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::Instant;

/// The phases, in the order they run on one set of files.
const PHASES: [&str; 5] = ["create", "stat", "readdir", "rename", "unlink"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// All threads in one directory.
    Shared,
    /// One directory per thread.
    PerThread,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Shared => "shared_dir",
            Layout::PerThread => "dir_per_thread",
        }
    }
}

struct Args {
    dir: PathBuf,
    label: String,
    threads: Vec<usize>,
    files: usize,
    reps: usize,
    layouts: Vec<Layout>,
    walk: Option<usize>,
    timer_us: Option<u64>,
    handoff: Option<usize>,
}

fn usage() -> ! {
    eprintln!(
        "usage: pdirfs-bench --dir DIR --label NAME [--threads 1,2,4] [--files N]\n\
         \x20      [--reps R] [--layout shared|per-thread|both] [--walk ENTRIES]\n\
         \x20      [--timer MICROSECONDS] [--handoff ROUND_TRIPS]\n\
         Runs in DIR (an empty, mounted filesystem); prints JSON lines."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        dir: PathBuf::new(),
        label: String::new(),
        threads: vec![1, 2, 4],
        files: 256,
        reps: 3,
        layouts: vec![Layout::Shared, Layout::PerThread],
        walk: None,
        timer_us: None,
        handoff: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| usage());
        match k.as_str() {
            "--dir" => a.dir = PathBuf::from(v),
            "--label" => a.label = v,
            "--threads" => {
                a.threads = v
                    .split(',')
                    .map(|s| s.parse().unwrap_or_else(|_| usage()))
                    .collect()
            }
            "--files" => a.files = v.parse().unwrap_or_else(|_| usage()),
            "--reps" => a.reps = v.parse().unwrap_or_else(|_| usage()),
            "--layout" => {
                a.layouts = match v.as_str() {
                    "shared" => vec![Layout::Shared],
                    "per-thread" => vec![Layout::PerThread],
                    "both" => vec![Layout::Shared, Layout::PerThread],
                    _ => usage(),
                }
            }
            "--walk" => a.walk = Some(v.parse().unwrap_or_else(|_| usage())),
            "--timer" => a.timer_us = Some(v.parse().unwrap_or_else(|_| usage())),
            "--handoff" => a.handoff = Some(v.parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    if a.dir.as_os_str().is_empty() || a.label.is_empty() || a.reps == 0 {
        usage();
    }
    a
}

/// Jiffies of /proc/stat: USER_HZ, which is 100 on every Linux
/// architecture's user ABI.
const USER_HZ: f64 = 100.0;

/// Machine-wide CPU time and context switches, from /proc/stat.
#[derive(Clone, Copy, Default)]
struct CpuSample {
    /// Jiffies not idle and not waiting for I/O, summed over all CPUs.
    busy: u64,
    /// All jiffies, summed over all CPUs.
    total: u64,
    /// Context switches since boot.
    ctxt: u64,
}

impl CpuSample {
    /// Reads /proc/stat; zeros if it cannot (the rates are still valid).
    fn now() -> Self {
        let Ok(text) = fs::read_to_string("/proc/stat") else {
            return Self::default();
        };
        let mut s = Self::default();
        for line in text.lines() {
            let mut f = line.split_ascii_whitespace();
            match f.next() {
                Some("cpu") => {
                    let v: Vec<u64> = f.filter_map(|x| x.parse().ok()).collect();
                    s.total = v.iter().sum();
                    // user nice system idle iowait irq softirq steal ...
                    s.busy =
                        s.total - v.get(3).copied().unwrap_or(0) - v.get(4).copied().unwrap_or(0);
                }
                Some("ctxt") => s.ctxt = f.next().and_then(|x| x.parse().ok()).unwrap_or(0),
                _ => {}
            }
        }
        s
    }

    fn since(self, start: Self) -> Self {
        Self {
            busy: self.busy.saturating_sub(start.busy),
            total: self.total.saturating_sub(start.total),
            ctxt: self.ctxt.saturating_sub(start.ctxt),
        }
    }

    fn add(&mut self, o: Self) {
        self.busy += o.busy;
        self.total += o.total;
        self.ctxt += o.ctxt;
    }
}

/// One phase of one repetition.
struct PhaseRun {
    ops_per_s: f64,
    ops: usize,
    cpu: CpuSample,
}

/// Creates an empty file with open(O_CREAT|O_EXCL) + close, as mdtest does.
fn create(p: &Path) -> std::io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(p)
        .map(drop)
}

/// Counts the entries of `dir` other than "." and "..".
fn list(dir: &Path) -> std::io::Result<usize> {
    Ok(fs::read_dir(dir)?.count())
}

/// One thread's work in one phase: `files` operations, except readdir,
/// which lists the thread's directory once per 32 files (a listing costs
/// more than one operation; mdtest counts it as one).
fn phase_op(phase: &str, dir: &Path, t: usize, files: usize) -> std::io::Result<usize> {
    let name = |i: usize, suffix: &str| dir.join(format!("t{t}-f{i}{suffix}"));
    let mut ops = 0;
    match phase {
        "create" => {
            for i in 0..files {
                create(&name(i, ""))?;
                ops += 1;
            }
        }
        "stat" => {
            for i in 0..files {
                fs::symlink_metadata(name(i, ""))?;
                ops += 1;
            }
        }
        "readdir" => {
            for _ in 0..files.div_ceil(32) {
                list(dir)?;
                ops += 1;
            }
        }
        "rename" => {
            for i in 0..files {
                fs::rename(name(i, ""), name(i, ".r"))?;
                ops += 1;
            }
        }
        "unlink" => {
            for i in 0..files {
                fs::remove_file(name(i, ".r"))?;
                ops += 1;
            }
        }
        _ => unreachable!(),
    }
    Ok(ops)
}

/// Runs every phase once with `n` threads; returns each phase's result.
fn run_once(root: &Path, layout: Layout, n: usize, files: usize) -> Vec<PhaseRun> {
    let base = root.join(format!("run-{}-{n}", layout.name()));
    fs::create_dir(&base).expect("mkdir run directory");
    let dirs: Vec<PathBuf> = (0..n)
        .map(|t| match layout {
            Layout::Shared => base.clone(),
            Layout::PerThread => {
                let d = base.join(format!("t{t}"));
                fs::create_dir(&d).expect("mkdir thread directory");
                d
            }
        })
        .collect();
    let mut rates = Vec::new();
    for phase in PHASES {
        let barrier = Arc::new(Barrier::new(n + 1));
        let handles: Vec<_> = (0..n)
            .map(|t| {
                let (b, d) = (barrier.clone(), dirs[t].clone());
                std::thread::spawn(move || {
                    b.wait();
                    let r = phase_op(phase, &d, t, files);
                    b.wait();
                    r
                })
            })
            .collect();
        barrier.wait();
        let cpu0 = CpuSample::now();
        let start = Instant::now();
        barrier.wait();
        let elapsed = start.elapsed();
        let cpu = CpuSample::now().since(cpu0);
        let mut ops = 0;
        for h in handles {
            match h.join().expect("thread panicked") {
                Ok(o) => ops += o,
                Err(e) => {
                    eprintln!("pdirfs-bench: {phase} failed: {e}");
                    std::process::exit(1);
                }
            }
        }
        rates.push(PhaseRun {
            ops_per_s: ops as f64 / elapsed.as_secs_f64().max(1e-9),
            ops,
            cpu,
        });
    }
    for d in &dirs {
        if *d != base {
            fs::remove_dir(d).expect("rmdir thread directory");
        }
    }
    fs::remove_dir(&base).expect("rmdir run directory");
    rates
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Drops unused dentries and inodes (pdirfs and tmpfs have nothing to
/// write back, so no sync is needed).
fn drop_dentry_cache() {
    fs::write("/proc/sys/vm/drop_caches", "2").expect("write drop_caches");
}

/// `ls -l` of a directory of `entries` files after dropping the dentry
/// cache: getdents, then lstat of every name.  Returns (seconds, entries).
fn walk(root: &Path, entries: usize) -> (f64, f64, usize) {
    let dir = root.join("walk");
    fs::create_dir(&dir).expect("mkdir walk");
    for i in 0..entries {
        create(&dir.join(format!("entry-{i:06}"))).expect("create walk entry");
        if i % 10000 == 9999 {
            eprintln!("  walk: {} of {entries} entries created", i + 1);
        }
    }
    drop_dentry_cache();
    let start = Instant::now();
    let names: Vec<_> = fs::read_dir(&dir)
        .expect("opendir walk")
        .map(|e| e.expect("readdir").file_name())
        .collect();
    let listed = start.elapsed();
    let mut checked = 0;
    for n in &names {
        let p = dir.join(n);
        let md = fs::symlink_metadata(&p).expect("lstat");
        checked += (md.ino() != 0) as usize;
    }
    let total = start.elapsed();
    assert_eq!(checked, entries, "walk: every entry must stat");
    // Clean up for the next configuration.
    for n in &names {
        let _ = fs::remove_file(dir.join(n));
    }
    fs::remove_dir(&dir).expect("rmdir walk");
    (listed.as_secs_f64(), total.as_secs_f64(), names.len())
}

/// How long a sleep of `us` microseconds really takes in this machine:
/// the floor under every latency-bound result, since `latency_us=` sleeps
/// on the same timers.  (nanosleep adds the task's 50 us timer slack;
/// pdirfs' in-kernel sleep has none.)  Returns (mean, median) in us.
fn timer(us: u64) -> (f64, f64) {
    let n = (2_000_000 / us.max(1)).clamp(10, 1000);
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            std::thread::sleep(std::time::Duration::from_micros(us));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (mean, median(&mut v))
}

/// What it costs here to hand work to another thread and sleep until it
/// hands the answer back: `n` round trips of one byte over a socket pair
/// between two threads, each blocked in read(2) in turn.  That is the
/// shape of a `completion=async` operation with no latency (the caller
/// queues a work item and sleeps; the work item wakes it), plus four
/// system calls per round trip, so a floor under what async completion
/// can cost more than a synchronous call.  Returns (wall us, machine CPU
/// us, context switches) per round trip.
fn handoff(n: usize) -> (f64, f64, f64) {
    use std::io::Read;
    use std::os::unix::net::UnixStream;
    let (mut a, mut b) = UnixStream::pair().expect("socketpair");
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 1];
        while b.read_exact(&mut buf).is_ok() {
            if b.write_all(&buf).is_err() {
                break;
            }
        }
    });
    let mut buf = [0u8; 1];
    let cpu0 = CpuSample::now();
    let t = Instant::now();
    for _ in 0..n {
        a.write_all(&buf).expect("write");
        a.read_exact(&mut buf).expect("read");
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = CpuSample::now().since(cpu0);
    drop(a);
    echo.join().expect("echo thread");
    let n = n as f64;
    (
        wall * 1e6 / n,
        cpu.busy as f64 * 1e6 / USER_HZ / n,
        cpu.ctxt as f64 / n,
    )
}

fn main() {
    let a = parse_args();
    let out = std::io::stdout();
    let mut out = out.lock();
    if let Some(n) = a.handoff {
        let (wall, cpu, ctxsw) = handoff(n);
        writeln!(
            out,
            "{{\"label\":\"{}\",\"test\":\"handoff\",\"round_trips\":{n},\"wall_us\":{wall:.1},\"cpu_us\":{cpu:.1},\"ctxsw\":{ctxsw:.2}}}",
            a.label
        )
        .unwrap();
        return;
    }
    if let Some(us) = a.timer_us {
        let (mean, med) = timer(us);
        writeln!(
            out,
            "{{\"label\":\"{}\",\"test\":\"timer\",\"requested_us\":{us},\"mean_us\":{mean:.1},\"median_us\":{med:.1}}}",
            a.label
        )
        .unwrap();
        return;
    }
    if let Some(entries) = a.walk {
        let (listed, total, n) = walk(&a.dir, entries);
        writeln!(
            out,
            "{{\"label\":\"{}\",\"test\":\"walk\",\"entries\":{n},\"getdents_s\":{listed:.6},\"total_s\":{total:.6}}}",
            a.label
        )
        .unwrap();
        return;
    }
    for &layout in &a.layouts {
        for &n in &a.threads {
            let mut per_phase: Vec<Vec<f64>> = vec![Vec::new(); PHASES.len()];
            // CPU and context switches summed over the repetitions.
            let mut cpu = vec![CpuSample::default(); PHASES.len()];
            let mut ops = vec![0usize; PHASES.len()];
            let t0 = Instant::now();
            for _ in 0..a.reps {
                for (i, r) in run_once(&a.dir, layout, n, a.files).into_iter().enumerate() {
                    per_phase[i].push(r.ops_per_s);
                    cpu[i].add(r.cpu);
                    ops[i] += r.ops;
                }
            }
            eprintln!(
                "  {}: {} threads={n} done in {:.1} s (create median {:.0} ops/s)",
                a.label,
                layout.name(),
                t0.elapsed().as_secs_f64(),
                median(&mut per_phase[0].clone())
            );
            for (i, phase) in PHASES.iter().enumerate() {
                let v = &mut per_phase[i];
                let min = v.iter().cloned().fold(f64::INFINITY, f64::min);
                let med = median(v);
                let c = cpu[i];
                let o = ops[i].max(1) as f64;
                let busy = c.busy as f64 / (c.total.max(1) as f64);
                let cpu_us = c.busy as f64 * 1e6 / USER_HZ / o;
                let ctxsw = c.ctxt as f64 / o;
                writeln!(
                    out,
                    "{{\"label\":\"{}\",\"layout\":\"{}\",\"threads\":{n},\"phase\":\"{phase}\",\"files_per_thread\":{},\"reps\":{},\"min_ops\":{min:.1},\"median_ops\":{med:.1},\"cpu_busy\":{busy:.3},\"cpu_us_per_op\":{cpu_us:.1},\"ctxsw_per_op\":{ctxsw:.2}}}",
                    a.label,
                    layout.name(),
                    a.files,
                    a.reps
                )
                .unwrap();
            }
            out.flush().unwrap();
        }
    }
}

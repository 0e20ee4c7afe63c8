//! Runs a helper program (poppler) with a wall-clock timeout and address-space/CPU rlimits, so a
//! hostile file can make the helper fail but never hang or exhaust the worker.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// Limits for one helper run.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub wall: Duration,
    /// RLIMIT_AS in bytes.
    pub memory: u64,
    /// Most stdout bytes kept; beyond that the helper's output is cut (and `truncated` set).
    pub max_stdout: usize,
}

/// What a helper run produced.
#[derive(Debug)]
pub struct RunOutput {
    pub success: bool,
    pub stdout: Vec<u8>,
    /// The first 64 KiB of stderr.
    pub stderr: String,
    pub stdout_truncated: bool,
}

/// Why a helper could not run to completion.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not start {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("{0} ran past its {1:?} budget")]
    Timeout(String, Duration),
}

/// Runs `cmd` under `budget`; the child is killed on timeout.
pub fn run(mut cmd: Command, budget: Budget) -> Result<RunOutput, RunError> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let mem = budget.memory;
    let cpu = budget.wall.as_secs().saturating_add(1);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe, which is all pre_exec requires.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(move || {
            let as_lim = libc::rlimit { rlim_cur: mem as libc::rlim_t, rlim_max: mem as libc::rlim_t };
            libc::setrlimit(libc::RLIMIT_AS, &as_lim);
            let cpu_lim = libc::rlimit { rlim_cur: cpu as libc::rlim_t, rlim_max: cpu as libc::rlim_t };
            libc::setrlimit(libc::RLIMIT_CPU, &cpu_lim);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| RunError::Spawn(name.clone(), e))?;
    // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
    let out_pipe = child.stdout.take();
    let err_pipe = child.stderr.take();
    let max_out = budget.max_stdout;
    let out_thread = std::thread::spawn(move || drain(out_pipe, max_out));
    let err_thread = std::thread::spawn(move || drain(err_pipe, 64 * 1024));
    let status = match child.wait_timeout(budget.wall) {
        Ok(Some(status)) => Some(status),
        Ok(None) | Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    };
    let (stdout, stdout_truncated) = out_thread.join().unwrap_or_default();
    let (stderr, _) = err_thread.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(RunError::Timeout(name, budget.wall));
    };
    Ok(RunOutput {
        success: status.success(),
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        stdout_truncated,
    })
}

fn drain(pipe: Option<impl Read>, max: usize) -> (Vec<u8>, bool) {
    let Some(mut pipe) = pipe else { return (Vec::new(), false) };
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut truncated = false;
    loop {
        match pipe.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = max.saturating_sub(kept.len());
                if n > room {
                    truncated = true;
                }
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (kept, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_a_hanging_child() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let started = std::time::Instant::now();
        let r = run(cmd, Budget { wall: Duration::from_millis(200), memory: 1 << 30, max_stdout: 1024 });
        assert!(matches!(r, Err(RunError::Timeout(..))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn caps_stdout() {
        let mut cmd = Command::new("head");
        cmd.args(["-c", "100000", "/dev/zero"]);
        let r = run(cmd, Budget { wall: Duration::from_secs(5), memory: 1 << 30, max_stdout: 1000 }).unwrap();
        assert_eq!(r.stdout.len(), 1000);
        assert!(r.stdout_truncated);
    }
}

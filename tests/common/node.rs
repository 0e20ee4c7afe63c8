//! A private RabbitMQ node for tests that stop or restart their broker: its own node name, ports,
//! data and log folders, loopback only, and no plugins, so the shared broker on 5672 (which other
//! tests use at the same time) is never touched. Stopped on drop, also when the test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One private RabbitMQ node.
pub struct PrivateNode {
    pub name: String,
    pub amqp_port: u16,
    dist_port: u16,
    pub dir: tempfile::TempDir,
}

/// The RabbitMQ scripts, called directly (Debian's /usr/sbin wrappers switch to the rabbitmq user,
/// whose home holds the shared node's cookie).
fn script(name: &str) -> PathBuf {
    let direct = Path::new("/usr/lib/rabbitmq/bin").join(name);
    if direct.is_file() {
        direct
    } else {
        PathBuf::from(name)
    }
}

/// A port nobody listens on now (the OS picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300)).is_ok()
}

impl PrivateNode {
    /// Starts a node (plus `extra_conf` lines of rabbitmq.conf); None when RabbitMQ is not installed.
    pub fn start(tag: &str, extra_conf: &str) -> Option<PrivateNode> {
        // Only look for the script: running it, even with --help, would start a default node.
        let installed = script("rabbitmq-server").is_file()
            || std::env::var_os("PATH")
                .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("rabbitmq-server").is_file()));
        if !installed {
            return None;
        }
        let dir = tempfile::Builder::new().prefix("tamis-rmq-").tempdir().unwrap();
        let amqp_port = free_port();
        let mut dist_port = free_port();
        while dist_port == amqp_port {
            dist_port = free_port();
        }
        let conf = format!("listeners.tcp.local = 127.0.0.1:{amqp_port}\nloopback_users = none\n{extra_conf}\n");
        std::fs::write(dir.path().join("rabbitmq.conf"), conf).unwrap();
        std::fs::write(dir.path().join("enabled_plugins"), "[].\n").unwrap();
        std::fs::write(dir.path().join("env.conf"), "").unwrap();
        let node =
            PrivateNode { name: format!("tamis-{tag}-{}@localhost", std::process::id()), amqp_port, dist_port, dir };
        node.boot();
        Some(node)
    }

    /// The AMQP URL of this node.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.amqp_port)
    }

    fn command(&self, program: &str) -> Command {
        let d = self.dir.path();
        let mut c = Command::new(script(program));
        c.env("HOME", d)
            .env("RABBITMQ_CONF_ENV_FILE", d.join("env.conf"))
            .env("RABBITMQ_NODENAME", &self.name)
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .env("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    /// Starts the node and waits (up to 90 s) until it accepts AMQP connections.
    pub fn boot(&self) {
        let status = self.command("rabbitmq-server").arg("-detached").status().expect("run rabbitmq-server");
        assert!(status.success(), "rabbitmq-server -detached failed for {}", self.name);
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let up = self
                .command("rabbitmqctl")
                .args(["-n", &self.name, "await_startup", "--timeout", "10"])
                .status()
                .is_ok_and(|s| s.success());
            if up && port_open(self.amqp_port) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "private RabbitMQ {} did not start; logs in {}",
                self.name,
                self.dir.path().join("log").display()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn pid(&self) -> Option<i32> {
        std::fs::read_to_string(self.dir.path().join("pid")).ok()?.trim().parse().ok()
    }

    /// Stops the node and waits until its process is gone.
    pub fn stop(&self) {
        let pid = self.pid();
        let _ = self.command("rabbitmqctl").args(["-n", &self.name, "stop"]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        // SAFETY: kill(pid, 0) only checks the process exists.
        while pid.is_some_and(|p| unsafe { libc::kill(p, 0) } == 0) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Some(p) = pid {
            // SAFETY: kill(2) on the node this test started, still alive; no memory effects.
            if unsafe { libc::kill(p, 0) } == 0 {
                unsafe { libc::kill(p, libc::SIGKILL) };
            }
        }
        while port_open(self.amqp_port) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops and starts the node again, keeping its data (durable queues and their messages).
    pub fn restart(&self) {
        self.stop();
        self.boot();
    }
}

impl Drop for PrivateNode {
    fn drop(&mut self) {
        self.stop();
    }
}

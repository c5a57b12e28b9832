//! Redis servers the tests start themselves from the machine's `redis-server`: a single node
//! per test (which a test may kill, restart, pause and resume), and one 3-master cluster per
//! test binary.
//!
//! Every server runs under a small shell watchdog that stops it when the test process exits,
//! pass, fail or abort, so no server outlives its test binary.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A port that is free, with its cluster bus port (`port + 10000`) free too.
fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind a free port")
            .local_addr()
            .expect("its address")
            .port();
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

/// `redis-server` on `port` under a watchdog, with `args`; memory only.
fn spawn(port: u16, dir: &Path, args: &[String]) -> Child {
    let mut command = format!(
        "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir {} \
         --daemonize no --loglevel warning",
        dir.display()
    );
    for arg in args {
        command.push(' ');
        command.push_str(arg);
    }
    let watchdog = format!(
        "{command} & server=$!; trap 'kill $server 2>/dev/null' EXIT; \
         while kill -0 {parent} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.2; done",
        parent = std::process::id()
    );
    Command::new("bash")
        .arg("-c")
        .arg(watchdog)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is installed (apt-get install redis-server)")
}

/// Run `redis-cli -p port args..`, its output.
pub fn cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli is installed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not happen within 10 s");
}

/// The pid of the `redis-server` listening on `port`.
fn server_pid(port: u16) -> Option<String> {
    cli(port, &["INFO", "server"])
        .lines()
        .find_map(|line| line.strip_prefix("process_id:"))
        .map(|pid| pid.trim().to_owned())
}

/// One Redis server of one test: memory only, on a port of its own.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    watchdog: Option<Child>,
    paused: Option<String>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("stream-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the server");
        let mut server = RedisServer {
            port,
            dir,
            watchdog: None,
            paused: None,
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kill the server (`SIGKILL`; its data is gone: it keeps none on disk).
    pub fn kill(&mut self) {
        self.resume();
        if let Some(mut watchdog) = self.watchdog.take() {
            match server_pid(self.port) {
                Some(pid) => {
                    let _ = Command::new("kill").args(["-KILL", &pid]).status();
                    // The watchdog sees the server gone and exits.
                }
                None => drop(watchdog.kill()),
            }
            let _ = watchdog.wait();
        }
        let port = self.port;
        for _ in 0..200 {
            if cli(port, &["PING"]) != "PONG" {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Start it again on the same port, empty.
    pub fn restart(&mut self) {
        self.watchdog = Some(spawn(self.port, &self.dir, &[]));
        let port = self.port;
        wait_until("redis-server answering", || cli(port, &["PING"]) == "PONG");
    }

    /// Stop the process (`SIGSTOP`): connections stay open, nothing answers, as a server
    /// stuck or far too slow.
    pub fn pause(&mut self) {
        let pid = server_pid(self.port).expect("the server reports its pid");
        Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill");
        self.paused = Some(pid);
    }

    /// Let a paused server go on (`SIGCONT`), its data intact.
    pub fn resume(&mut self) {
        if let Some(pid) = self.paused.take() {
            Command::new("kill")
                .args(["-CONT", &pid])
                .status()
                .expect("kill");
        }
    }

    pub fn cli(&self, args: &[&str]) -> String {
        cli(self.port, args)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.watchdog.is_some() {
            self.kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis Cluster of three masters on loopback ports, started once per test binary.
pub struct RedisCluster {
    pub ports: Vec<u16>,
    paused: std::sync::Mutex<Vec<String>>,
}

impl RedisCluster {
    /// The cluster of this test binary (started on first use).
    pub fn shared() -> &'static RedisCluster {
        static CLUSTER: OnceLock<RedisCluster> = OnceLock::new();
        CLUSTER.get_or_init(RedisCluster::start)
    }

    fn start() -> RedisCluster {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        for &port in &ports {
            let dir =
                std::env::temp_dir().join(format!("stream-cluster-{}-{port}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a directory for the node");
            let args = [
                "--cluster-enabled yes".to_owned(),
                "--cluster-node-timeout 2000".to_owned(),
                format!("--cluster-config-file nodes-{port}.conf"),
            ];
            // The watchdog owns the node: it lives as long as this test binary.
            std::mem::forget(spawn(port, &dir, &args));
            wait_until("a cluster node answering", || {
                cli(port, &["PING"]) == "PONG"
            });
        }
        let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let mut args = vec!["--cluster", "create"];
        args.extend(nodes.iter().map(String::as_str));
        args.extend(["--cluster-replicas", "0", "--cluster-yes"]);
        let created = Command::new("redis-cli")
            .args(&args)
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        for &port in &ports {
            wait_until("the cluster to be ok", || {
                cli(port, &["CLUSTER", "INFO"]).contains("cluster_state:ok")
            });
        }
        RedisCluster {
            ports,
            paused: Default::default(),
        }
    }

    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect()
    }

    /// Stop every node (`SIGSTOP`): nothing answers.
    pub fn pause(&self) {
        for &port in &self.ports {
            let pid = server_pid(port).expect("the node reports its pid");
            Command::new("kill")
                .args(["-STOP", &pid])
                .status()
                .expect("kill");
            self.paused.lock().unwrap().push(pid);
        }
    }

    /// Let every stopped node go on.
    pub fn resume(&self) {
        for pid in self.paused.lock().unwrap().drain(..) {
            Command::new("kill")
                .args(["-CONT", &pid])
                .status()
                .expect("kill");
        }
    }

    /// `redis-cli -c` on the node of `key`'s slot.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut all = vec!["-c"];
        all.extend(args);
        cli(self.ports[0], &all)
    }
}

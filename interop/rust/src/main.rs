// rust-libp2p gossipsub interop peer for meshsub: one swarm (127.0.0.1 TCP, noise, yamux,
// identify) running gossipsub, driven by JSON lines on stdin and reporting JSON lines on stdout.
mod config;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::time::Duration;

use base64::Engine;
use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, TopicHash};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{identify, multiaddr::Protocol, noise, tcp, yamux, Multiaddr, PeerId, Swarm};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use config::Config;

/// Pinned crate versions (Cargo.lock), reported in "ready".
const VERSION: &str = "libp2p 0.57.1 / libp2p-gossipsub 0.50.1";

#[derive(NetworkBehaviour)]
struct Behaviour {
    gossipsub: gossipsub::Behaviour,
    identify: identify::Behaviour,
}

/// Writes one JSON event line; the driver parses nothing but these lines.
fn emit(event: &str, mut fields: Value) {
    fields["event"] = json!(event);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{fields}");
    let _ = out.flush();
}

fn emit_err(context: &str, err: impl std::fmt::Display, id: &Value) {
    emit(
        "error",
        json!({"context": context, "error": err.to_string(), "id": id}),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cfg = match config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            emit_err("fatal", e, &Value::Null);
            std::process::exit(1);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(cfg)) {
        emit_err("fatal", e, &Value::Null);
        std::process::exit(1);
    }
}

fn build_swarm(cfg: &Config) -> Result<Swarm<Behaviour>, Box<dyn std::error::Error>> {
    let key = cfg.keypair()?;
    let gs_config = cfg.gossipsub_config()?;
    let swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_behaviour(|key| {
            let auth = if cfg.strict_sign() {
                MessageAuthenticity::Signed(key.clone())
            } else {
                MessageAuthenticity::Anonymous
            };
            let mut gossipsub = gossipsub::Behaviour::new(auth, gs_config)?;
            if cfg.scoring {
                let (params, thresholds) = cfg.score_params();
                gossipsub.with_peer_score(params, thresholds)?;
            }
            // no signed peer record: rust 0.57 signs it under its own domain and payload type
            // ("libp2p-routing-state"), which go and js reject (rust-libp2p issue 6204)
            let identify = identify::Behaviour::new(identify::Config::new(
                "meshsub-interop/1.0.0".into(),
                key.public(),
            ));
            Ok(Behaviour {
                gossipsub,
                identify,
            })
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    Ok(swarm)
}

struct Peer {
    swarm: Swarm<Behaviour>,
    cfg: Config,
    /// mesh as last reported, diffed against gossipsub's mesh to emit graft/prune events
    mesh: BTreeMap<String, BTreeSet<PeerId>>,
    /// topics we track for mesh changes (subscribed at some point)
    topics: BTreeSet<String>,
    /// command ids of dials waiting for their connection
    dials: HashMap<PeerId, Value>,
    ready: bool,
}

async fn run(cfg: Config) -> Result<(), Box<dyn std::error::Error>> {
    let mut swarm = build_swarm(&cfg)?;
    swarm.listen_on(format!("/ip4/127.0.0.1/tcp/{}", cfg.listen_port).parse()?)?;
    let mut p = Peer {
        swarm,
        cfg,
        mesh: BTreeMap::new(),
        topics: BTreeSet::new(),
        dials: HashMap::new(),
        ready: false,
    };
    for t in p.cfg.topics.clone() {
        p.subscribe(&t)?;
    }
    for a in p.cfg.direct.clone() {
        let (peer, addr) = split_p2p(&a)?;
        p.swarm.behaviour_mut().gossipsub.add_explicit_peer(&peer);
        p.swarm.add_peer_address(peer, addr);
        p.dial(&a, Value::Null);
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            ev = p.swarm.select_next_some() => p.on_swarm_event(ev),
            line = lines.next_line() => match line? {
                None => return Ok(()),
                Some(l) => if !p.command(&l) { return Ok(()) },
            },
            _ = tick.tick() => p.diff_mesh(),
        }
    }
}

/// Splits "/ip4/…/tcp/…/p2p/ID" into the peer id and the dialable address.
fn split_p2p(s: &str) -> Result<(PeerId, Multiaddr), String> {
    let mut addr: Multiaddr = s.parse().map_err(|e| format!("{s}: {e}"))?;
    match addr.pop() {
        Some(Protocol::P2p(peer)) => Ok((peer, addr)),
        _ => Err(format!("{s}: address must end in /p2p/<peer id>")),
    }
}

impl Peer {
    fn gs(&mut self) -> &mut gossipsub::Behaviour {
        &mut self.swarm.behaviour_mut().gossipsub
    }

    fn subscribe(&mut self, topic: &str) -> Result<(), String> {
        self.gs()
            .subscribe(&IdentTopic::new(topic))
            .map_err(|e| e.to_string())?;
        self.topics.insert(topic.to_string());
        Ok(())
    }

    fn dial(&mut self, addr: &str, id: Value) {
        let parsed: Result<Multiaddr, _> = addr.parse();
        let res = match (parsed, split_p2p(addr)) {
            (Ok(ma), Ok((peer, _))) => {
                self.dials.insert(peer, id.clone());
                self.swarm.dial(ma).map_err(|e| e.to_string())
            }
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(e),
        };
        if let Err(e) = res {
            emit_err(&format!("dial {addr}"), e, &id);
        }
    }

    fn on_swarm_event(&mut self, ev: SwarmEvent<BehaviourEvent>) {
        match ev {
            SwarmEvent::NewListenAddr { address, .. } if !self.ready => {
                // rust's identify announces only external addresses (and signs only those into
                // its peer record): on loopback the listen address is the one to announce
                self.swarm.add_external_address(address.clone());
                self.ready = true;
                let me = *self.swarm.local_peer_id();
                let addr = address.with(Protocol::P2p(me));
                emit(
                    "ready",
                    json!({"peerId": me.to_string(), "addrs": [addr.to_string()], "impl": "rust",
                        "version": VERSION, "testExtension": false}),
                );
                if self.cfg.test_extension {
                    emit_err(
                        "config",
                        "testExtension: libp2p-gossipsub 0.50.1 has no test extension",
                        &Value::Null,
                    );
                }
                if self.cfg.trace_rpc {
                    emit_err(
                        "config",
                        "traceRpc: libp2p-gossipsub exposes no RPC hook",
                        &Value::Null,
                    );
                }
                for a in self.cfg.peers.clone() {
                    self.dial(&a, Value::Null);
                }
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                num_established,
                ..
            } => {
                // a dial command is answered even when it adds a second connection
                let id = self.dials.remove(&peer_id);
                if id.is_some() || num_established.get() == 1 {
                    emit("connected", json!({"peer": peer_id.to_string(), "id": id}));
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                emit("peer", json!({"peer": peer_id.to_string(), "up": false}));
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                let id = peer_id
                    .and_then(|p| self.dials.remove(&p))
                    .unwrap_or(Value::Null);
                emit_err("dial", error, &id);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(e)) => self.on_gossipsub(e),
            _ => {}
        }
    }

    fn on_gossipsub(&mut self, e: gossipsub::Event) {
        match e {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                let mut f = json!({
                    "topic": message.topic.as_str(),
                    "msgId": hex::encode(&message_id.0),
                    "data": base64::engine::general_purpose::STANDARD.encode(&message.data),
                    "receivedFrom": propagation_source.to_string(),
                });
                if let Some(src) = message.source {
                    f["from"] = json!(src.to_string());
                }
                if let Some(seq) = message.sequence_number {
                    f["seqno"] = json!(hex::encode(seq.to_be_bytes()));
                }
                emit("message", f);
            }
            gossipsub::Event::Subscribed { peer_id, topic } => {
                emit(
                    "subscribed",
                    json!({"peer": peer_id.to_string(), "topic": topic.as_str()}),
                );
            }
            gossipsub::Event::Unsubscribed { peer_id, topic } => {
                emit(
                    "unsubscribed",
                    json!({"peer": peer_id.to_string(), "topic": topic.as_str()}),
                );
            }
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                emit(
                    "peer",
                    json!({"peer": peer_id.to_string(), "protocol": null, "up": true}),
                );
            }
            gossipsub::Event::SlowPeer { peer_id, .. } => {
                emit("slowPeer", json!({"peer": peer_id.to_string()}));
            }
        }
    }

    /// Emits graft/prune events for mesh changes: rust-libp2p has no mesh callback, so the
    /// mesh is polled every 50 ms (changes shorter than that can be missed).
    fn diff_mesh(&mut self) {
        for topic in self.topics.clone() {
            let now: BTreeSet<PeerId> = self
                .gs()
                .mesh_peers(&TopicHash::from_raw(topic.clone()))
                .cloned()
                .collect();
            let before = self.mesh.remove(&topic).unwrap_or_default();
            for p in now.difference(&before) {
                emit("graft", json!({"peer": p.to_string(), "topic": topic}));
            }
            for p in before.difference(&now) {
                emit("prune", json!({"peer": p.to_string(), "topic": topic}));
            }
            self.mesh.insert(topic, now);
        }
    }

    /// Handles one stdin command; false means quit.
    fn command(&mut self, line: &str) -> bool {
        if line.trim().is_empty() {
            return true;
        }
        let c: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                emit_err("command", e, &Value::Null);
                return true;
            }
        };
        let id = c.get("id").cloned().unwrap_or(Value::Null);
        let cmd = c["cmd"].as_str().unwrap_or("").to_string();
        let topic = c["topic"].as_str().unwrap_or("").to_string();
        if let Err(e) = self.handle(&cmd, &topic, &c, &id) {
            emit_err(&cmd, e, &id);
        }
        if cmd == "quit" {
            emit("bye", json!({"id": id}));
            return false;
        }
        true
    }

    fn handle(&mut self, cmd: &str, topic: &str, c: &Value, id: &Value) -> Result<(), String> {
        match cmd {
            "publish" => {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(c["data"].as_str().unwrap_or(""))
                    .map_err(|e| e.to_string())?;
                let mid = self
                    .gs()
                    .publish(IdentTopic::new(topic), data)
                    .map_err(|e| format!("{e:?}"))?;
                emit(
                    "published",
                    json!({"id": id, "topic": topic, "msgId": hex::encode(&mid.0)}),
                );
            }
            "subscribe" => {
                self.subscribe(topic)?;
                emit("ok", json!({"id": id, "cmd": cmd}));
            }
            "unsubscribe" => {
                self.gs().unsubscribe(&IdentTopic::new(topic));
                emit("ok", json!({"id": id, "cmd": cmd}));
            }
            "dial" => self.dial(c["addr"].as_str().unwrap_or(""), id.clone()),
            "mesh" => {
                let peers: BTreeSet<String> = self
                    .gs()
                    .mesh_peers(&TopicHash::from_raw(topic))
                    .map(|p| p.to_string())
                    .collect();
                emit("mesh", json!({"id": id, "topic": topic, "peers": peers}));
            }
            "peers" => {
                let th = TopicHash::from_raw(topic);
                let peers: BTreeSet<String> = self
                    .gs()
                    .all_peers()
                    .filter(|(_, ts)| ts.contains(&&th))
                    .map(|(p, _)| p.to_string())
                    .collect();
                emit("peers", json!({"id": id, "topic": topic, "peers": peers}));
            }
            "score" | "scores" => {
                let peers: Vec<PeerId> = self.gs().all_peers().map(|(p, _)| *p).collect();
                let mut scores = serde_json::Map::new();
                for p in peers {
                    if let Some(s) = self.gs().peer_score(&p) {
                        scores.insert(p.to_string(), json!({"score": s}));
                    }
                }
                emit("scores", json!({"id": id, "scores": scores}));
            }
            "quit" => {}
            other => return Err(format!("unknown command {other:?}")),
        }
        Ok(())
    }
}

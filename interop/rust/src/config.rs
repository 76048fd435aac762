// Peer configuration (the JSON contract shared with the go peer, see interop/README.md):
// parsing, the seed-derived identity, and its translation into gossipsub and score settings.
use std::collections::HashMap;
use std::time::Duration;

use libp2p::gossipsub::{
    self, MessageId, PeerScoreParams, PeerScoreThresholds, TopicHash, TopicScoreParams,
    ValidationMode,
};
use libp2p::identity::Keypair;
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    #[serde(default)]
    pub seed: Option<serde_json::Value>,
    #[serde(default)]
    pub listen_port: u16,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub peers: Vec<String>,
    #[serde(default)]
    pub direct: Vec<String>,
    #[serde(default)]
    pub signature_policy: Option<String>,
    #[serde(default)]
    pub msg_id: Option<String>,
    #[serde(rename = "D")]
    pub d: Option<usize>,
    #[serde(rename = "Dlo")]
    pub dlo: Option<usize>,
    #[serde(rename = "Dhi")]
    pub dhi: Option<usize>,
    #[serde(rename = "Dlazy")]
    pub dlazy: Option<usize>,
    #[serde(rename = "Dout")]
    pub dout: Option<usize>,
    #[serde(rename = "Dscore")]
    pub dscore: Option<usize>,
    pub heartbeat_ms: Option<u64>,
    pub flood_publish: Option<bool>,
    #[serde(default, rename = "doPX")]
    pub do_px: bool,
    pub prune_backoff_ms: Option<u64>,
    pub unsubscribe_backoff_ms: Option<u64>,
    pub idontwant_threshold: Option<usize>,
    #[serde(default)]
    pub scoring: bool,
    #[serde(default)]
    pub score_topics: bool,
    /// accepted for contract parity with go; rust's score is read on demand
    #[allow(dead_code)]
    pub score_inspect_ms: Option<u64>,
    #[serde(default)]
    pub test_extension: bool,
    #[serde(default)]
    pub trace_rpc: bool,
}

/// Reads `-config FILE` or `-config-json TEXT` (no config means defaults).
pub fn from_args(args: &[String]) -> Result<Config, String> {
    let mut text = String::from("{}");
    let mut i = 1;
    while i < args.len() {
        let val = args
            .get(i + 1)
            .ok_or(format!("{} needs a value", args[i]))?;
        match args[i].trim_start_matches('-') {
            "config" => text = std::fs::read_to_string(val).map_err(|e| format!("{val}: {e}"))?,
            "config-json" => text = val.clone(),
            other => return Err(format!("unknown flag -{other}")),
        }
        i += 2;
    }
    let cfg: Config = serde_json::from_str(&text).map_err(|e| format!("config: {e}"))?;
    match cfg.signature_policy.as_deref() {
        None | Some("StrictSign") | Some("StrictNoSign") => {}
        Some(o) => {
            return Err(format!(
                "config: signaturePolicy {o:?} is not StrictSign or StrictNoSign"
            ))
        }
    }
    match cfg.msg_id.as_deref() {
        None | Some("default") | Some("sha256") => {}
        Some(o) => return Err(format!("config: msgId {o:?} is not default or sha256")),
    }
    Ok(cfg)
}

/// The spec's (and go's) default id: raw `from` bytes ‖ raw 8-byte big-endian seqno.
/// rust's own default is base58(from) ‖ decimal seqno as text, which never equals the
/// id go or meshsub compute, so IHAVE/IWANT/IDONTWANT would never match across them.
fn from_seqno_id(m: &gossipsub::Message) -> MessageId {
    let mut id = m.source.map(|p| p.to_bytes()).unwrap_or_default();
    if let Some(seq) = m.sequence_number {
        id.extend_from_slice(&seq.to_be_bytes());
    }
    MessageId::from(id)
}

/// Content id for StrictNoSign: sha256(data), as the go peer and meshsub configure it.
fn sha256_id(m: &gossipsub::Message) -> MessageId {
    MessageId::from(Sha256::digest(&m.data).to_vec())
}

impl Config {
    pub fn strict_sign(&self) -> bool {
        self.signature_policy.as_deref() != Some("StrictNoSign")
    }

    /// ed25519 key from the secret seed sha256("meshsub-interop:" + seed), as the go peer
    /// derives it; no seed gives a random key.
    pub fn keypair(&self) -> Result<Keypair, String> {
        let text = match &self.seed {
            None | Some(serde_json::Value::Null) => return Ok(Keypair::generate_ed25519()),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        };
        let mut secret: [u8; 32] = Sha256::digest(format!("meshsub-interop:{text}")).into();
        Keypair::ed25519_from_bytes(&mut secret).map_err(|e| e.to_string())
    }

    pub fn gossipsub_config(&self) -> Result<gossipsub::Config, String> {
        let mut b = gossipsub::ConfigBuilder::default();
        // go's frame limit; rust's default (64 KiB) would drop the large-message scenarios
        b.max_transmit_size(1 << 20);
        if self.strict_sign() {
            b.validation_mode(ValidationMode::Strict);
        } else {
            b.validation_mode(ValidationMode::Anonymous);
        }
        if self.msg_id.as_deref() == Some("sha256") {
            b.message_id_fn(sha256_id);
        } else {
            b.message_id_fn(from_seqno_id);
        }
        if let Some(v) = self.d {
            b.mesh_n(v);
        }
        if let Some(v) = self.dlo {
            b.mesh_n_low(v);
        }
        if let Some(v) = self.dhi {
            b.mesh_n_high(v);
        }
        if let Some(v) = self.dlazy {
            b.gossip_lazy(v);
        }
        if let Some(v) = self.dout {
            b.mesh_outbound_min(v);
        }
        if let Some(v) = self.dscore {
            b.retain_scores(v);
        }
        if let Some(ms) = self.heartbeat_ms {
            b.heartbeat_interval(Duration::from_millis(ms));
        }
        if let Some(v) = self.flood_publish {
            b.flood_publish(v);
        }
        if self.do_px {
            b.do_px();
        }
        if let Some(ms) = self.prune_backoff_ms {
            b.prune_backoff(Duration::from_millis(ms));
        }
        if let Some(ms) = self.unsubscribe_backoff_ms {
            b.unsubscribe_backoff(Duration::from_millis(ms));
        }
        if let Some(v) = self.idontwant_threshold {
            b.idontwant_message_size_threshold(v);
        }
        b.build().map_err(|e| e.to_string())
    }

    /// Same score setup as the go peer: only P7 (behaviour penalty) counts unless
    /// scoreTopics, so a negative score means a penalty; IP colocation and rust's extra
    /// slow-peer penalty are off (all test peers share 127.0.0.1).
    pub fn score_params(&self) -> (PeerScoreParams, PeerScoreThresholds) {
        let mut topics = HashMap::new();
        if self.score_topics {
            for t in &self.topics {
                topics.insert(
                    TopicHash::from_raw(t.clone()),
                    TopicScoreParams {
                        topic_weight: 1.0,
                        time_in_mesh_weight: 0.01,
                        time_in_mesh_quantum: Duration::from_secs(1),
                        time_in_mesh_cap: 100.0,
                        first_message_deliveries_weight: 1.0,
                        first_message_deliveries_decay: 0.5,
                        first_message_deliveries_cap: 100.0,
                        mesh_message_deliveries_weight: 0.0,
                        mesh_message_deliveries_decay: 0.5,
                        mesh_message_deliveries_cap: 10.0,
                        mesh_message_deliveries_threshold: 1.0,
                        mesh_message_deliveries_window: Duration::from_millis(10),
                        mesh_message_deliveries_activation: Duration::from_secs(5),
                        mesh_failure_penalty_weight: 0.0,
                        mesh_failure_penalty_decay: 0.5,
                        invalid_message_deliveries_weight: -100.0,
                        invalid_message_deliveries_decay: 0.5,
                    },
                );
            }
        }
        let params = PeerScoreParams {
            topics,
            app_specific_weight: 1.0,
            ip_colocation_factor_weight: 0.0,
            behaviour_penalty_weight: -10.0,
            behaviour_penalty_threshold: 0.0,
            behaviour_penalty_decay: 0.9,
            decay_interval: Duration::from_secs(1),
            decay_to_zero: 0.01,
            retain_score: Duration::from_secs(60),
            slow_peer_weight: 0.0,
            ..Default::default()
        };
        let thresholds = PeerScoreThresholds {
            gossip_threshold: -100.0,
            publish_threshold: -200.0,
            graylist_threshold: -300.0,
            accept_px_threshold: 0.0,
            opportunistic_graft_threshold: 1.0,
        };
        (params, thresholds)
    }
}

// Peer configuration (the JSON contract shared with the rust peer, see interop/README.md)
// and the deterministic identity derived from its seed.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"
)

type Config struct {
	Seed                 json.RawMessage `json:"seed"`
	ListenPort           int             `json:"listenPort"`
	Topics               []string        `json:"topics"`
	Peers                []string        `json:"peers"`
	Direct               []string        `json:"direct"`
	SignaturePolicy      string          `json:"signaturePolicy"`
	MsgID                string          `json:"msgId"`
	D                    *int            `json:"D"`
	Dlo                  *int            `json:"Dlo"`
	Dhi                  *int            `json:"Dhi"`
	Dlazy                *int            `json:"Dlazy"`
	Dout                 *int            `json:"Dout"`
	Dscore               *int            `json:"Dscore"`
	HeartbeatMs          int             `json:"heartbeatMs"`
	FloodPublish         *bool           `json:"floodPublish"`
	DoPX                 bool            `json:"doPX"`
	PruneBackoffMs       int             `json:"pruneBackoffMs"`
	UnsubscribeBackoffMs int             `json:"unsubscribeBackoffMs"`
	IDontWantThreshold   *int            `json:"idontwantThreshold"`
	Scoring              bool            `json:"scoring"`
	ScoreTopics          bool            `json:"scoreTopics"`
	ScoreInspectMs       int             `json:"scoreInspectMs"`
	TestExtension        bool            `json:"testExtension"`
	TraceRPC             bool            `json:"traceRpc"`
}

func loadConfig(path, inline string) (*Config, error) {
	raw := []byte(inline)
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	cfg := &Config{}
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if cfg.SignaturePolicy == "" {
		cfg.SignaturePolicy = "StrictSign"
	}
	if cfg.SignaturePolicy != "StrictSign" && cfg.SignaturePolicy != "StrictNoSign" {
		return nil, fmt.Errorf("config: signaturePolicy must be StrictSign or StrictNoSign")
	}
	if cfg.MsgID == "" {
		cfg.MsgID = "default"
	}
	if cfg.MsgID != "default" && cfg.MsgID != "sha256" {
		return nil, fmt.Errorf("config: msgId must be default or sha256")
	}
	return cfg, nil
}

// seedText turns the seed (JSON string or number) into the text the key is derived from.
func seedText(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// keyFromSeed derives the ed25519 key as sha256("meshsub-interop:" + seed) used as
// the ed25519 secret seed; the rust peer derives the same key, so a seed names one
// peer id whichever implementation runs it.
func keyFromSeed(seed string) (crypto.PrivKey, error) {
	sum := sha256.Sum256([]byte("meshsub-interop:" + seed))
	return crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(sum[:]))
}

// go-libp2p-pubsub interop peer for meshsub: one libp2p host (127.0.0.1 TCP, noise, yamux)
// running gossipsub, driven by JSON lines on stdin and reporting JSON lines on stdout.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

// pubsubVersion is the pinned go-libp2p-pubsub version (go.mod), reported in "ready".
const pubsubVersion = "v0.17.0"

func main() {
	cfgPath := flag.String("config", "", "JSON config file")
	cfgInline := flag.String("config-json", "", "JSON config given inline")
	golden := flag.String("golden", "", "write golden RPC encodings into this directory and exit")
	decode := flag.String("decode", "", "decode an RPC protobuf file (- for stdin) and print it as JSON")
	flag.Parse()

	var err error
	switch {
	case *golden != "":
		err = writeGolden(*golden)
	case *decode != "":
		err = decodeFile(*decode)
	default:
		err = run(*cfgPath, *cfgInline)
	}
	if err != nil {
		emitErr("fatal", err, nil)
		os.Exit(1)
	}
}

type peerNode struct {
	ctx    context.Context
	h      host.Host
	ps     *pubsub.PubSub
	tr     *tracer
	mu     sync.Mutex
	topics map[string]*pubsub.Topic
	subs   map[string]*pubsub.Subscription
	scores map[peer.ID]*pubsub.PeerScoreSnapshot
	idFn   func(*pb.Message) string
	// lastLocal is the id of our latest publish, recorded by the validator, which go runs
	// synchronously inside Topic.Publish for local messages (its tracer skips own messages).
	lastLocal string
}

func msgIDFunc(kind string) func(*pb.Message) string {
	if kind == "sha256" {
		return func(m *pb.Message) string {
			sum := sha256.Sum256(m.GetData())
			return string(sum[:])
		}
	}
	return pubsub.DefaultMsgIdFn
}

func run(cfgPath, cfgInline string) error {
	cfg, err := loadConfig(cfgPath, cfgInline)
	if err != nil {
		return err
	}
	var key crypto.PrivKey
	if len(cfg.Seed) == 0 {
		key, _, err = crypto.GenerateEd25519Key(nil)
	} else {
		key, err = keyFromSeed(seedText(cfg.Seed))
	}
	if err != nil {
		return err
	}
	h, err := libp2p.New(
		libp2p.Identity(key),
		libp2p.ListenAddrStrings(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", cfg.ListenPort)),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.DisableRelay(),
	)
	if err != nil {
		return err
	}
	defer h.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	n := &peerNode{ctx: ctx, h: h, topics: map[string]*pubsub.Topic{}, subs: map[string]*pubsub.Subscription{},
		scores: map[peer.ID]*pubsub.PeerScoreSnapshot{}}
	idFn := msgIDFunc(cfg.MsgID)
	n.idFn = idFn
	n.tr = newTracer(cfg.TraceRPC, idFn)
	opts, err := n.options(cfg, idFn)
	if err != nil {
		return err
	}
	if n.ps, err = pubsub.NewGossipSub(ctx, h, opts...); err != nil {
		return err
	}
	for _, t := range cfg.Topics {
		if err := n.subscribe(t); err != nil {
			return err
		}
	}
	addrs := []string{}
	for _, a := range h.Addrs() {
		addrs = append(addrs, fmt.Sprintf("%s/p2p/%s", a, h.ID()))
	}
	emit("ready", obj{"peerId": h.ID().String(), "addrs": addrs, "impl": "go",
		"version": "go-libp2p-pubsub " + pubsubVersion, "testExtension": cfg.TestExtension})
	for _, a := range cfg.Peers {
		go n.dial(a, nil)
	}
	n.commands(os.Stdin)
	return nil
}

func (n *peerNode) options(cfg *Config, idFn func(*pb.Message) string) ([]pubsub.Option, error) {
	params := pubsub.DefaultGossipSubParams()
	setInt(&params.D, cfg.D)
	setInt(&params.Dlo, cfg.Dlo)
	setInt(&params.Dhi, cfg.Dhi)
	setInt(&params.Dlazy, cfg.Dlazy)
	setInt(&params.Dout, cfg.Dout)
	setInt(&params.Dscore, cfg.Dscore)
	setInt(&params.IDontWantMessageThreshold, cfg.IDontWantThreshold)
	if cfg.HeartbeatMs > 0 {
		params.HeartbeatInterval = time.Duration(cfg.HeartbeatMs) * time.Millisecond
	}
	if cfg.PruneBackoffMs > 0 {
		params.PruneBackoff = time.Duration(cfg.PruneBackoffMs) * time.Millisecond
	}
	if cfg.UnsubscribeBackoffMs > 0 {
		params.UnsubscribeBackoff = time.Duration(cfg.UnsubscribeBackoffMs) * time.Millisecond
	}
	opts := []pubsub.Option{
		pubsub.WithGossipSubParams(params),
		pubsub.WithMessageIdFn(idFn),
		pubsub.WithPeerExchange(cfg.DoPX),
		pubsub.WithRawTracer(n.tr),
		pubsub.WithDefaultValidator(n.noteLocal),
	}
	if cfg.FloodPublish != nil {
		opts = append(opts, pubsub.WithFloodPublish(*cfg.FloodPublish))
	}
	if cfg.SignaturePolicy == "StrictNoSign" {
		opts = append(opts, pubsub.WithNoAuthor(), pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign))
	} else {
		opts = append(opts, pubsub.WithMessageSignaturePolicy(pubsub.StrictSign))
	}
	if len(cfg.Direct) > 0 {
		infos := []peer.AddrInfo{}
		for _, a := range cfg.Direct {
			ai, err := peer.AddrInfoFromString(a)
			if err != nil {
				return nil, fmt.Errorf("direct peer %q: %w", a, err)
			}
			infos = append(infos, *ai)
		}
		opts = append(opts, pubsub.WithDirectPeers(infos), pubsub.WithDirectConnectTicks(10))
	}
	if cfg.TestExtension {
		// "testExtension" events come from the tracer's RecvRPC
		opts = append(opts, pubsub.WithTestExtension(pubsub.TestExtensionConfig{}))
	}
	if cfg.Scoring {
		period := time.Second
		if cfg.ScoreInspectMs > 0 {
			period = time.Duration(cfg.ScoreInspectMs) * time.Millisecond
		}
		opts = append(opts, pubsub.WithPeerScore(scoreParams(cfg), scoreThresholds()),
			pubsub.WithPeerScoreInspect(pubsub.ExtendedPeerScoreInspectFn(n.keepScores), period))
	}
	return opts, nil
}

func (n *peerNode) noteLocal(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == n.h.ID() {
		n.mu.Lock()
		n.lastLocal = n.idFn(m.Message)
		n.mu.Unlock()
	}
	return pubsub.ValidationAccept
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

// scoreParams: by default only P7 (behaviour penalty) counts, so any negative score means a
// penalty; IP colocation is off because every test peer is on 127.0.0.1.
func scoreParams(cfg *Config) *pubsub.PeerScoreParams {
	p := &pubsub.PeerScoreParams{
		Topics:                    map[string]*pubsub.TopicScoreParams{},
		AppSpecificScore:          func(peer.ID) float64 { return 0 },
		AppSpecificWeight:         1,
		IPColocationFactorWeight:  0,
		BehaviourPenaltyWeight:    -10,
		BehaviourPenaltyThreshold: 0,
		BehaviourPenaltyDecay:     0.9,
		DecayInterval:             time.Second,
		DecayToZero:               0.01,
		RetainScore:               time.Minute,
	}
	if cfg.ScoreTopics {
		for _, t := range cfg.Topics {
			p.Topics[t] = &pubsub.TopicScoreParams{
				TopicWeight: 1, TimeInMeshWeight: 0.01, TimeInMeshQuantum: time.Second, TimeInMeshCap: 100,
				FirstMessageDeliveriesWeight: 1, FirstMessageDeliveriesDecay: 0.5, FirstMessageDeliveriesCap: 100,
				MeshMessageDeliveriesDecay: 0.5, MeshMessageDeliveriesCap: 10, MeshMessageDeliveriesThreshold: 1,
				MeshMessageDeliveriesWindow: 10 * time.Millisecond, MeshMessageDeliveriesActivation: 5 * time.Second,
				MeshFailurePenaltyDecay:        0.5,
				InvalidMessageDeliveriesWeight: -100, InvalidMessageDeliveriesDecay: 0.5,
			}
		}
	}
	return p
}

func scoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{GossipThreshold: -100, PublishThreshold: -200, GraylistThreshold: -300,
		AcceptPXThreshold: 0, OpportunisticGraftThreshold: 1}
}

func (n *peerNode) keepScores(s map[peer.ID]*pubsub.PeerScoreSnapshot) {
	n.mu.Lock()
	n.scores = s
	n.mu.Unlock()
}

func (n *peerNode) scoresJSON() obj {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := obj{}
	for p, s := range n.scores {
		topics := obj{}
		for t, ts := range s.Topics {
			topics[t] = obj{"timeInMeshMs": ts.TimeInMesh.Milliseconds(), "firstMessageDeliveries": ts.FirstMessageDeliveries,
				"meshMessageDeliveries": ts.MeshMessageDeliveries, "invalidMessageDeliveries": ts.InvalidMessageDeliveries}
		}
		out[p.String()] = obj{"score": s.Score, "behaviourPenalty": s.BehaviourPenalty, "appSpecific": s.AppSpecificScore,
			"ipColocation": s.IPColocationFactor, "topics": topics}
	}
	return out
}

func (n *peerNode) topic(name string) (*pubsub.Topic, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.topics[name]; ok {
		return t, nil
	}
	t, err := n.ps.Join(name)
	if err != nil {
		return nil, err
	}
	n.topics[name] = t
	return t, nil
}

func (n *peerNode) subscribe(name string) error {
	t, err := n.topic(name)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.subs[name]; ok {
		return nil
	}
	sub, err := t.Subscribe()
	if err != nil {
		return err
	}
	n.subs[name] = sub
	go n.read(sub)
	return nil
}

func (n *peerNode) unsubscribe(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if sub, ok := n.subs[name]; ok {
		sub.Cancel()
		delete(n.subs, name)
	}
}

// read reports every message delivered to a subscription, except our own publishes.
func (n *peerNode) read(sub *pubsub.Subscription) {
	for {
		m, err := sub.Next(n.ctx)
		if err != nil {
			return
		}
		if m.ReceivedFrom == n.h.ID() {
			continue
		}
		f := obj{"topic": m.GetTopic(), "msgId": hex.EncodeToString([]byte(m.ID)),
			"data": base64.StdEncoding.EncodeToString(m.Data), "receivedFrom": m.ReceivedFrom.String()}
		if len(m.From) > 0 {
			f["from"] = m.GetFrom().String()
		}
		if len(m.Seqno) > 0 {
			f["seqno"] = hex.EncodeToString(m.Seqno)
		}
		emit("message", f)
	}
}

func (n *peerNode) dial(addr string, id any) {
	ai, err := peer.AddrInfoFromString(addr)
	if err == nil {
		ctx, cancel := context.WithTimeout(n.ctx, 10*time.Second)
		err = n.h.Connect(ctx, *ai)
		cancel()
	}
	if err != nil {
		emitErr("dial "+addr, err, id)
		return
	}
	f := obj{"peer": ai.ID.String()}
	if id != nil {
		f["id"] = id
	}
	emit("connected", f)
}

type command struct {
	Cmd   string `json:"cmd"`
	ID    any    `json:"id"`
	Topic string `json:"topic"`
	Data  string `json:"data"`
	Addr  string `json:"addr"`
}

func (n *peerNode) commands(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var c command
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			emitErr("command", err, nil)
			continue
		}
		if c.Cmd == "quit" {
			emit("bye", obj{"id": c.ID})
			return
		}
		if err := n.handle(c); err != nil {
			emitErr(c.Cmd, err, c.ID)
		}
	}
}

func (n *peerNode) handle(c command) error {
	switch c.Cmd {
	case "publish":
		data, err := base64.StdEncoding.DecodeString(c.Data)
		if err != nil {
			return err
		}
		t, err := n.topic(c.Topic)
		if err != nil {
			return err
		}
		if err := t.Publish(n.ctx, data); err != nil {
			return err
		}
		n.mu.Lock()
		id := n.lastLocal
		n.mu.Unlock()
		emit("published", obj{"id": c.ID, "topic": c.Topic, "msgId": hex.EncodeToString([]byte(id))})
	case "subscribe":
		if err := n.subscribe(c.Topic); err != nil {
			return err
		}
		emit("ok", obj{"id": c.ID, "cmd": c.Cmd})
	case "unsubscribe":
		n.unsubscribe(c.Topic)
		emit("ok", obj{"id": c.ID, "cmd": c.Cmd})
	case "dial":
		go n.dial(c.Addr, c.ID)
	case "mesh":
		emit("mesh", obj{"id": c.ID, "topic": c.Topic, "peers": n.tr.meshPeers(c.Topic)})
	case "peers":
		ps := []string{}
		for _, p := range n.ps.ListPeers(c.Topic) {
			ps = append(ps, p.String())
		}
		sort.Strings(ps)
		emit("peers", obj{"id": c.ID, "topic": c.Topic, "peers": ps})
	case "score", "scores":
		emit("scores", obj{"id": c.ID, "scores": n.scoresJSON()})
	default:
		return fmt.Errorf("unknown command %q", c.Cmd)
	}
	return nil
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

func readAllStdin() ([]byte, error) { return io.ReadAll(os.Stdin) }

// Pubsub RawTracer: turns go-libp2p-pubsub's internal events into JSON lines (graft/prune,
// rejects, optional per-RPC summaries) and owns the mirrored mesh view.
package main

import (
	"encoding/hex"
	"sort"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

type tracer struct {
	mu       sync.Mutex
	mesh     map[string]map[peer.ID]struct{}
	traceRPC bool
	msgID    func(*pb.Message) string
}

func newTracer(traceRPC bool, msgID func(*pb.Message) string) *tracer {
	return &tracer{mesh: map[string]map[peer.ID]struct{}{}, traceRPC: traceRPC, msgID: msgID}
}

// meshPeers is go's mesh as seen through Graft/Prune calls (go has no public mesh getter).
func (t *tracer) meshPeers(topic string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := []string{}
	for p := range t.mesh[topic] {
		out = append(out, p.String())
	}
	sort.Strings(out)
	return out
}

func (t *tracer) OnNewOutboundStream(p peer.ID, proto protocol.ID) {
	emit("peer", obj{"peer": p.String(), "protocol": string(proto), "up": true})
}

func (t *tracer) OnClosedOutboundStream(p peer.ID) {
	t.mu.Lock()
	var left []string
	for topic, peers := range t.mesh {
		if _, ok := peers[p]; ok {
			delete(peers, p)
			left = append(left, topic)
		}
	}
	t.mu.Unlock()
	for _, topic := range left {
		emit("prune", obj{"peer": p.String(), "topic": topic, "reason": "peer-down"})
	}
	emit("peer", obj{"peer": p.String(), "up": false})
}

func (t *tracer) Join(topic string) {}

func (t *tracer) Leave(topic string) {
	t.mu.Lock()
	delete(t.mesh, topic)
	t.mu.Unlock()
}

func (t *tracer) Graft(p peer.ID, topic string) {
	t.mu.Lock()
	if t.mesh[topic] == nil {
		t.mesh[topic] = map[peer.ID]struct{}{}
	}
	t.mesh[topic][p] = struct{}{}
	t.mu.Unlock()
	emit("graft", obj{"peer": p.String(), "topic": topic})
}

func (t *tracer) Prune(p peer.ID, topic string) {
	t.mu.Lock()
	if t.mesh[topic] != nil {
		delete(t.mesh[topic], p)
	}
	t.mu.Unlock()
	emit("prune", obj{"peer": p.String(), "topic": topic})
}

func (t *tracer) ValidateMessage(msg *pubsub.Message)  {}
func (t *tracer) DeliverMessage(msg *pubsub.Message)   {}
func (t *tracer) DuplicateMessage(msg *pubsub.Message) {}

// RejectMessage reports remote messages go refused (go never traces its own).
func (t *tracer) RejectMessage(msg *pubsub.Message, reason string) {
	emit("reject", obj{"topic": msg.GetTopic(), "reason": reason, "receivedFrom": msg.ReceivedFrom.String()})
}
func (t *tracer) ThrottlePeer(p peer.ID)                   {}
func (t *tracer) UndeliverableMessage(msg *pubsub.Message) {}

// RecvRPC reports extension traffic always (go's own test-extension callback fires for every
// RPC once both sides negotiated it, so it cannot tell that a TestExtension arrived).
func (t *tracer) RecvRPC(rpc *pubsub.RPC) {
	if x := rpc.GetControl().GetExtensions(); x != nil {
		emit("extensions", obj{"peer": rpc.From().String(), "testExtension": x.GetTestExtension(),
			"partialMessages": x.GetPartialMessages()})
	}
	if rpc.TestExtension != nil {
		emit("testExtension", obj{"from": rpc.From().String()})
	}
	if t.traceRPC {
		emit("rpc", t.summary(&rpc.RPC, "in", rpc.From()))
	}
}

func (t *tracer) SendRPC(rpc *pubsub.RPC, p peer.ID) {
	if t.traceRPC {
		emit("rpc", t.summary(&rpc.RPC, "out", p))
	}
}

func (t *tracer) DropRPC(rpc *pubsub.RPC, p peer.ID) {
	if t.traceRPC {
		emit("rpc", t.summary(&rpc.RPC, "drop", p))
	}
}

// summary lists what an RPC carries with message ids (hex) computed by our id function,
// enough for a driver to check e.g. that a message was not sent after an IDONTWANT.
func (t *tracer) summary(rpc *pb.RPC, dir string, p peer.ID) obj {
	f := obj{"dir": dir, "peer": p.String()}
	if len(rpc.Subscriptions) > 0 {
		subs := []obj{}
		for _, s := range rpc.Subscriptions {
			subs = append(subs, obj{"topic": s.GetTopicid(), "subscribe": s.GetSubscribe()})
		}
		f["subscriptions"] = subs
	}
	if len(rpc.Publish) > 0 {
		ids := []string{}
		for _, m := range rpc.Publish {
			ids = append(ids, hex.EncodeToString([]byte(t.msgID(m))))
		}
		f["messages"] = ids
	}
	if c := rpc.Control; c != nil {
		f["control"] = controlJSON(c)
	}
	if rpc.TestExtension != nil {
		f["testExtension"] = true
	}
	return f
}

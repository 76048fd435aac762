// Golden wire bytes: a fixed set of RPCs encoded with go-libp2p-pubsub's own pb package
// (-golden DIR), and decoding of any RPC bytes into the same JSON shape (-decode FILE).
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
	ma "github.com/multiformats/go-multiaddr"
	"google.golang.org/protobuf/proto"
)

func hx(b []byte) string { return hex.EncodeToString(b) }

func hexList(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, hx([]byte(id)))
	}
	return out
}

// rpcJSON describes an RPC field by field; bytes and ids are hex, absent optional fields
// are omitted (present-but-empty bytes are ""), so presence is visible to the checker.
func rpcJSON(rpc *pb.RPC) obj {
	f := obj{}
	if len(rpc.Subscriptions) > 0 {
		subs := []obj{}
		for _, s := range rpc.Subscriptions {
			o := obj{}
			if s.Subscribe != nil {
				o["subscribe"] = *s.Subscribe
			}
			if s.Topicid != nil {
				o["topicid"] = *s.Topicid
			}
			if s.RequestsPartial != nil {
				o["requestsPartial"] = *s.RequestsPartial
			}
			if s.SupportsSendingPartial != nil {
				o["supportsSendingPartial"] = *s.SupportsSendingPartial
			}
			subs = append(subs, o)
		}
		f["subscriptions"] = subs
	}
	if len(rpc.Publish) > 0 {
		msgs := []obj{}
		for _, m := range rpc.Publish {
			msgs = append(msgs, messageJSON(m))
		}
		f["publish"] = msgs
	}
	if rpc.Control != nil {
		f["control"] = controlJSON(rpc.Control)
	}
	if rpc.TestExtension != nil {
		f["testExtension"] = obj{}
	}
	if p := rpc.Partial; p != nil {
		o := obj{}
		if p.TopicID != nil {
			o["topicID"] = *p.TopicID
		}
		if p.GroupID != nil {
			o["groupID"] = hx(p.GroupID)
		}
		if p.PartialMessage != nil {
			o["partialMessage"] = hx(p.PartialMessage)
		}
		if p.PartsMetadata != nil {
			o["partsMetadata"] = hx(p.PartsMetadata)
		}
		f["partial"] = o
	}
	if u := rpc.ProtoReflect().GetUnknown(); len(u) > 0 {
		f["unknownFields"] = hx(u)
	}
	return f
}

func messageJSON(m *pb.Message) obj {
	o := obj{}
	if m.From != nil {
		o["from"] = hx(m.From)
		if id, err := peer.IDFromBytes(m.From); err == nil {
			o["fromPeerId"] = id.String()
		}
	}
	if m.Data != nil {
		o["data"] = hx(m.Data)
	}
	if m.Seqno != nil {
		o["seqno"] = hx(m.Seqno)
	}
	if m.Topic != nil {
		o["topic"] = *m.Topic
	}
	if m.Signature != nil {
		o["signature"] = hx(m.Signature)
	}
	if m.Key != nil {
		o["key"] = hx(m.Key)
	}
	return o
}

func controlJSON(c *pb.ControlMessage) obj {
	o := obj{}
	if len(c.Ihave) > 0 {
		l := []obj{}
		for _, ih := range c.Ihave {
			e := obj{"messageIDs": hexList(ih.MessageIDs)}
			if ih.TopicID != nil {
				e["topicID"] = *ih.TopicID
			}
			l = append(l, e)
		}
		o["ihave"] = l
	}
	if len(c.Iwant) > 0 {
		l := []obj{}
		for _, iw := range c.Iwant {
			l = append(l, obj{"messageIDs": hexList(iw.MessageIDs)})
		}
		o["iwant"] = l
	}
	if len(c.Graft) > 0 {
		l := []obj{}
		for _, g := range c.Graft {
			e := obj{}
			if g.TopicID != nil {
				e["topicID"] = *g.TopicID
			}
			l = append(l, e)
		}
		o["graft"] = l
	}
	if len(c.Prune) > 0 {
		l := []obj{}
		for _, p := range c.Prune {
			l = append(l, pruneJSON(p))
		}
		o["prune"] = l
	}
	if len(c.Idontwant) > 0 {
		l := []obj{}
		for _, d := range c.Idontwant {
			l = append(l, obj{"messageIDs": hexList(d.MessageIDs)})
		}
		o["idontwant"] = l
	}
	if x := c.Extensions; x != nil {
		e := obj{}
		if x.TestExtension != nil {
			e["testExtension"] = *x.TestExtension
		}
		if x.PartialMessages != nil {
			e["partialMessages"] = *x.PartialMessages
		}
		o["extensions"] = e
	}
	return o
}

func pruneJSON(p *pb.ControlPrune) obj {
	e := obj{}
	if p.TopicID != nil {
		e["topicID"] = *p.TopicID
	}
	if p.Backoff != nil {
		e["backoff"] = *p.Backoff
	}
	if len(p.Peers) > 0 {
		peers := []obj{}
		for _, pi := range p.Peers {
			po := obj{}
			if pi.PeerID != nil {
				po["peerID"] = hx(pi.PeerID)
				if id, err := peer.IDFromBytes(pi.PeerID); err == nil {
					po["peerIdText"] = id.String()
				}
			}
			if pi.SignedPeerRecord != nil {
				po["signedPeerRecord"] = hx(pi.SignedPeerRecord)
				po["record"] = recordJSON(pi.SignedPeerRecord)
			}
			peers = append(peers, po)
		}
		e["peers"] = peers
	}
	return e
}

// recordJSON opens a signed peer record envelope (verifying its signature) for the checker.
func recordJSON(b []byte) obj {
	_, rec, err := record.ConsumeEnvelope(b, peer.PeerRecordEnvelopeDomain)
	if err != nil {
		return obj{"error": err.Error()}
	}
	pr, ok := rec.(*peer.PeerRecord)
	if !ok {
		return obj{"error": "not a peer record"}
	}
	addrs := []string{}
	for _, a := range pr.Addrs {
		addrs = append(addrs, a.String())
	}
	return obj{"peerId": pr.PeerID.String(), "seq": pr.Seq, "addrs": addrs, "valid": true}
}

func ptr[T any](v T) *T { return &v }

// signed builds a StrictSign message the way go-libp2p-pubsub signs: signature over
// "libp2p-pubsub:" ‖ marshal(message without signature and key); ed25519 is deterministic.
func signed(key crypto.PrivKey, topic string, data []byte, seqno uint64, withKey bool) (*pb.Message, error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, err
	}
	sq := make([]byte, 8)
	for i := 0; i < 8; i++ {
		sq[7-i] = byte(seqno >> (8 * i))
	}
	m := &pb.Message{From: []byte(id), Data: data, Seqno: sq, Topic: ptr(topic)}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(append([]byte("libp2p-pubsub:"), b...))
	if err != nil {
		return nil, err
	}
	m.Signature = sig
	if withKey {
		if m.Key, err = crypto.MarshalPublicKey(key.GetPublic()); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func goldenSet() (map[string]*pb.RPC, error) {
	author, err := keyFromSeed("golden-author")
	if err != nil {
		return nil, err
	}
	other, err := keyFromSeed("golden-px-peer")
	if err != nil {
		return nil, err
	}
	otherID, _ := peer.IDFromPrivateKey(other)
	rec := peer.PeerRecordFromAddrInfo(peer.AddrInfo{ID: otherID, Addrs: []ma.Multiaddr{
		ma.StringCast("/ip4/127.0.0.1/tcp/4001"), ma.StringCast("/ip4/127.0.0.1/tcp/4002"),
	}})
	rec.Seq = 1700000000000000000
	env, err := record.Seal(rec, other)
	if err != nil {
		return nil, err
	}
	spr, err := env.Marshal()
	if err != nil {
		return nil, err
	}
	m1, err := signed(author, "golden", []byte("hello meshsub"), 1, false)
	if err != nil {
		return nil, err
	}
	m2, err := signed(author, "golden", []byte{0, 1, 2, 0xff}, 2, true)
	if err != nil {
		return nil, err
	}
	// ids as go's default function makes them (from ‖ seqno): not valid UTF-8
	id1, id2 := string(m1.From)+string(m1.Seqno), string(m2.From)+string(m2.Seqno)
	big := make([]byte, 2048)
	for i := range big {
		big[i] = byte(i * 7)
	}
	ihave := &pb.ControlIHave{TopicID: ptr("golden"), MessageIDs: []string{id1, id2}}
	iwant := &pb.ControlIWant{MessageIDs: []string{id1, "\xff\xfe\x00binary"}}
	graft := &pb.ControlGraft{TopicID: ptr("golden")}
	pruneBackoff := &pb.ControlPrune{TopicID: ptr("golden"), Backoff: ptr(uint64(60))}
	prunePX := &pb.ControlPrune{TopicID: ptr("golden"), Backoff: ptr(uint64(60)), Peers: []*pb.PeerInfo{
		{PeerID: []byte(otherID), SignedPeerRecord: spr},
		{PeerID: []byte(otherID)},
	}}
	idontwant := &pb.ControlIDontWant{MessageIDs: []string{id2}}
	ext := &pb.ControlExtensions{TestExtension: ptr(true)}

	return map[string]*pb.RPC{
		"empty":            {},
		"subscribe":        {Subscriptions: []*pb.RPC_SubOpts{{Subscribe: ptr(true), Topicid: ptr("golden")}, {Subscribe: ptr(false), Topicid: ptr("other")}}},
		"publish-signed":   {Publish: []*pb.Message{m1}},
		"publish-with-key": {Publish: []*pb.Message{m2}},
		"publish-nosign":   {Publish: []*pb.Message{{Data: []byte("anonymous"), Topic: ptr("golden")}}},
		"publish-large":    {Publish: []*pb.Message{{Data: big, Topic: ptr("golden")}}},
		"ihave":            {Control: &pb.ControlMessage{Ihave: []*pb.ControlIHave{ihave}}},
		"iwant":            {Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{iwant}}},
		"graft":            {Control: &pb.ControlMessage{Graft: []*pb.ControlGraft{graft}}},
		"prune":            {Control: &pb.ControlMessage{Prune: []*pb.ControlPrune{pruneBackoff}}},
		"prune-px":         {Control: &pb.ControlMessage{Prune: []*pb.ControlPrune{prunePX}}},
		"idontwant":        {Control: &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{idontwant}}},
		"extensions":       {Control: &pb.ControlMessage{Extensions: ext}},
		"test-extension":   {TestExtension: &pb.TestExtension{}},
		"combined": {
			Subscriptions: []*pb.RPC_SubOpts{{Subscribe: ptr(true), Topicid: ptr("golden")}},
			Publish:       []*pb.Message{m1, m2},
			Control: &pb.ControlMessage{
				Ihave: []*pb.ControlIHave{ihave}, Iwant: []*pb.ControlIWant{iwant},
				Graft: []*pb.ControlGraft{graft}, Prune: []*pb.ControlPrune{prunePX},
				Idontwant: []*pb.ControlIDontWant{idontwant}, Extensions: ext,
			},
			TestExtension: &pb.TestExtension{},
		},
	}, nil
}

// writeGolden writes NAME.bin (bare RPC protobuf, no length prefix) and NAME.json
// (rpcJSON of the same RPC) for every golden RPC, plus index.json listing the names.
func writeGolden(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	set, err := goldenSet()
	if err != nil {
		return err
	}
	names := []string{}
	for name, rpc := range set {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(rpc)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), b, 0o644); err != nil {
			return err
		}
		j, _ := json.MarshalIndent(rpcJSON(rpc), "", "  ")
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(j, '\n'), 0o644); err != nil {
			return err
		}
		names = append(names, name)
	}
	idx, _ := json.Marshal(obj{"implementation": "go-libp2p-pubsub " + pubsubVersion, "rpcs": sortedStrings(names)})
	return os.WriteFile(filepath.Join(dir, "index.json"), append(idx, '\n'), 0o644)
}

// decodeFile decodes bare RPC bytes with go's pb and prints rpcJSON on stdout.
func decodeFile(path string) error {
	var b []byte
	var err error
	if path == "-" {
		b, err = readAllStdin()
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	rpc := &pb.RPC{}
	if err := proto.Unmarshal(b, rpc); err != nil {
		return err
	}
	out, _ := json.Marshal(rpcJSON(rpc))
	fmt.Println(string(out))
	return nil
}

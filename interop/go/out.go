// JSON-lines output for the interop peer: every event and reply goes through emit,
// one object per line on stdout, serialised by a mutex so lines never interleave.
package main

import (
	"encoding/json"
	"os"
	"sync"
)

var outMu sync.Mutex
var outEnc = json.NewEncoder(os.Stdout)

type obj = map[string]any

// emit writes one event line; the driver parses nothing but these lines.
func emit(event string, fields obj) {
	if fields == nil {
		fields = obj{}
	}
	fields["event"] = event
	outMu.Lock()
	defer outMu.Unlock()
	_ = outEnc.Encode(fields)
}

func emitErr(context string, err error, id any) {
	f := obj{"context": context, "error": err.Error()}
	if id != nil {
		f["id"] = id
	}
	emit("error", f)
}

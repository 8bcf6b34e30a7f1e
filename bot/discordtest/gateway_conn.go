package discordtest

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gatewayPayload is the envelope of every gateway message.
type gatewayPayload struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s"`
	Type *string         `json:"t"`
}

// gatewayConn is one WebSocket connection. A writer goroutine sends the
// frames queued by send, in order; the handler goroutine reads.
type gatewayConn struct {
	ws      *websocket.Conn
	out     chan outFrame
	done    chan struct{}
	stop    sync.Once
	version string // the v= query parameter

	// Guarded by Server.mu.
	session  *gatewaySession
	compress bool // identify asked for zlib-compressed payloads
	beats    int  // heartbeats received on this connection
	// Reconnect or DropConnection was called before the bot's first heartbeat
	// on this connection: op 7 is sent, or the connection dropped, when that
	// heartbeat arrives (see Reconnect).
	reconnectPending bool
	dropPending      bool
}

// outFrame is one frame queued for a connection's writer.
type outFrame struct {
	data      []byte
	compress  bool
	closeCode int // when non-zero, send a close frame with this code and hang up
	closeText string
}

// send queues a frame without blocking; a connection whose queue is full is
// hung up, as Discord does with clients that do not keep up.
func (c *gatewayConn) send(f outFrame) {
	select {
	case <-c.done:
	case c.out <- f:
	default:
		c.kill()
	}
}

// hangUp sends a close frame after the frames already queued, and waits until
// the connection is closed.
func (c *gatewayConn) hangUp(code int, text string) {
	c.send(outFrame{closeCode: code, closeText: text})
	<-c.done
}

// kill closes the connection abruptly (no close frame).
func (c *gatewayConn) kill() {
	c.stop.Do(func() {
		close(c.done)
		c.ws.Close()
	})
}

// writeLoop sends queued frames until the connection dies.
func (c *gatewayConn) writeLoop() {
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			deadline := time.Now().Add(5 * time.Second)
			if f.closeCode != 0 {
				msg := websocket.FormatCloseMessage(f.closeCode, f.closeText)
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, deadline) // hanging up anyway
				c.kill()
				return
			}
			mt, data := websocket.TextMessage, f.data
			if f.compress {
				mt, data = websocket.BinaryMessage, zlibCompress(f.data)
			}
			_ = c.ws.SetWriteDeadline(deadline)
			if err := c.ws.WriteMessage(mt, data); err != nil {
				c.kill()
				return
			}
		}
	}
}

// zlibCompress compresses one payload as a complete zlib stream, which is what
// discordgo expects of a binary frame (it opens a new zlib reader per frame).
func zlibCompress(p []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(p) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return buf.Bytes()
}

// sendOpLocked queues a non-dispatch payload.
func (c *gatewayConn) sendOpLocked(op int, d any) {
	c.send(outFrame{data: mustPayload(op, d, nil, ""), compress: c.compress})
}

// mustPayload encodes a gateway payload: op, d (the fake's own value), s and t.
func mustPayload(op int, d any, seq *int64, event string) []byte {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding gateway op %d: %v", op, err)) // only our own types reach here
	}
	p := gatewayPayload{Op: op, Data: raw, Seq: seq}
	if event != "" {
		p.Type = &event
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding gateway payload: %v", err))
	}
	return b
}

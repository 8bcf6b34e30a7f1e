package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// Request size limits.
const (
	maxRequestBytes = 64 << 20 // the fake reads at most this much of a body
	maxFileBytes    = 10 << 20 // Discord's default upload limit per file
	maxFiles        = 10
)

// Discord JSON error codes the fake answers with
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	codeGeneral                 = 0
	codeUnknownChannel          = 10003
	codeUnknownGuild            = 10004
	codeUnknownMember           = 10007
	codeUnknownMessage          = 10008
	codeUnknownUser             = 10013
	codeUnknownWebhook          = 10015
	codeUnknownInteraction      = 10062
	codeUnknownCommand          = 10063
	codeRequestTooLarge         = 40005
	codeAlreadyAcknowledged     = 40060
	codeMissingAccess           = 50001
	codeCannotEditOthersMessage = 50005
	codeEmptyMessage            = 50006
	codeInvalidWebhookToken     = 50027
	codeInvalidRecipients       = 50033
	codeInvalidFormBody         = 50035
	codeInvalidJSON             = 50109
)

// exchange is one REST request being answered.
type exchange struct {
	s   *Server
	w   http.ResponseWriter
	r   *http.Request
	rec *Request
}

// exchangeKey is the request context key under which serveREST passes the
// exchange to the routes.
type exchangeKey struct{}

// serveREST records a request, checks authorization, holds it if asked,
// applies injected faults and routes it.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	host := r.Header.Get(originalHostHeader)
	if host == "" {
		host = r.Host
	}
	rec := &Request{
		Method: r.Method,
		Host:   host,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
	}
	var decodeErr error
	if readErr == nil && len(body) > 0 {
		rec.Body, rec.Files, decodeErr = decodeBody(r.Header.Get("Content-Type"), body)
		if decodeErr == nil && len(rec.Body) > 0 {
			decodeErr = json.Unmarshal(rec.Body, &rec.JSON)
		}
	}
	s.mu.Lock()
	s.requestSeq++
	rec.Seq = s.requestSeq
	rec.Time = s.now()
	s.requests = append(s.requests, rec)
	s.notifyLocked()
	s.mu.Unlock()

	ex := &exchange{s: s, w: w, r: r, rec: rec}
	switch {
	case readErr != nil:
		ex.fail(http.StatusRequestEntityTooLarge, codeRequestTooLarge, "Request entity too large")
	case strings.HasPrefix(r.URL.Path, "/api/") && r.Header.Get("Authorization") != "Bot "+s.cfg.token:
		ex.fail(http.StatusUnauthorized, codeGeneral, "401: Unauthorized")
	case decodeErr != nil:
		ex.fail(http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.")
	default:
		s.holdIfAsked(ex)
		if !s.injectFault(ex) {
			s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
		}
	}
}

// decodeBody returns the JSON part of a body and, for multipart bodies, the
// files, as Discord reads them: payload_json plus files[n].
func decodeBody(contentType string, body []byte) (jsonBody []byte, files []File, err error) {
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt != "multipart/form-data" {
		return body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return jsonBody, files, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading multipart body: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("reading multipart part %q: %w", part.FormName(), err)
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			jsonBody = data
		case part.FileName() != "":
			files = append(files, File{
				Field:       name,
				Name:        part.FileName(),
				ContentType: part.Header.Get("Content-Type"),
				Data:        data,
			})
		}
	}
}

// routes registers every REST route the fake serves. Each group is served
// by the file named in its comment.
func (s *Server) routes() {
	// gateway.go: where the gateway is.
	s.handle("GET /api/{v}/gateway", s.getGateway)
	s.handle("GET /api/{v}/gateway/bot", s.getGatewayBot)

	// users.go: users, and the DM channel with one.
	s.handle("GET /api/{v}/users/@me", s.getMe)
	s.handle("GET /api/{v}/users/{user}", s.getUser)
	s.handle("POST /api/{v}/users/@me/channels", s.createDM)

	// channels.go (messages.go checks and stores what the bot sends).
	s.handle("GET /api/{v}/channels/{channel}", s.getChannel)
	s.handle("POST /api/{v}/channels/{channel}/messages", s.postChannelMessage)
	s.handle("GET /api/{v}/channels/{channel}/messages/{message}", s.getChannelMessage)
	s.handle("PATCH /api/{v}/channels/{channel}/messages/{message}", s.patchChannelMessage)
	s.handle("DELETE /api/{v}/channels/{channel}/messages/{message}", s.deleteChannelMessage)

	// guilds.go.
	s.handle("GET /api/{v}/guilds/{guild}/members/{user}", s.getMember)

	// commands.go: global and guild application commands.
	for _, prefix := range []string{"/api/{v}/applications/{app}", "/api/{v}/applications/{app}/guilds/{guild}"} {
		s.handle("GET "+prefix+"/commands", s.getCommands)
		s.handle("PUT "+prefix+"/commands", s.putCommands)
		s.handle("POST "+prefix+"/commands", s.postCommand)
		s.handle("DELETE "+prefix+"/commands/{command}", s.deleteCommand)
	}

	// callbacks.go: the answer to an interaction.
	s.handle("POST /api/{v}/interactions/{id}/{token}/callback", s.postCallback)

	// webhooks.go: follow-ups and edits through the interaction's token.
	s.handle("POST /api/{v}/webhooks/{app}/{token}", s.postFollowUp)
	s.handle("GET /api/{v}/webhooks/{app}/{token}/messages/{message}", s.getWebhookMessage)
	s.handle("PATCH /api/{v}/webhooks/{app}/{token}/messages/{message}", s.patchWebhookMessage)
	s.handle("DELETE /api/{v}/webhooks/{app}/{token}/messages/{message}", s.deleteWebhookMessage)

	// attachments.go: the CDN, serving the files the bot uploaded.
	s.handle("GET /attachments/{channel}/{attachment}/{filename}", s.getAttachment)

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		r.Context().Value(exchangeKey{}).(*exchange).unknown()
	})
}

// handle registers a route; only API versions 9 and 10 are served.
func (s *Server) handle(pattern string, h func(*exchange)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ex := r.Context().Value(exchangeKey{}).(*exchange)
		ex.r = r // carries the path values
		if strings.Contains(pattern, "{v}") {
			if v := r.PathValue("v"); v != "v9" && v != "v10" {
				ex.unknown()
				return
			}
		}
		s.mu.Lock()
		ex.rec.Route = pattern
		s.mu.Unlock()
		h(ex)
	})
}

// reply answers with a JSON body (none for 204) and records the answer.
func (ex *exchange) reply(status int, v any) {
	var body []byte
	if status != http.StatusNoContent && v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			status = http.StatusInternalServerError
			body = []byte(fmt.Sprintf(`{"message":"discordtest: encoding response: %s","code":0}`, strings.ReplaceAll(err.Error(), `"`, `'`)))
		}
		ex.w.Header().Set("Content-Type", "application/json")
	}
	ex.w.WriteHeader(status)
	_, _ = ex.w.Write(body) // the client may have gone; the record still holds the answer
	ex.s.mu.Lock()
	ex.rec.Status = status
	ex.rec.Response = body
	ex.s.notifyLocked()
	ex.s.mu.Unlock()
}

// fail answers with Discord's error shape {"message": ..., "code": ...}.
func (ex *exchange) fail(status, code int, message string) {
	ex.reply(status, map[string]any{"message": message, "code": code})
}

// unknown answers 404 for a route the fake does not serve, and marks it.
func (ex *exchange) unknown() {
	ex.s.mu.Lock()
	ex.rec.Unknown = true
	ex.s.mu.Unlock()
	ex.fail(http.StatusNotFound, codeGeneral, "404: Not Found")
}

// violationLocked records a broken rule for this request.
func (ex *exchange) violationLocked(field, code, message string) {
	ex.s.violations = append(ex.s.violations, Violation{
		RequestSeq: ex.rec.Seq,
		Method:     ex.rec.Method,
		Path:       ex.rec.Path,
		Field:      field,
		Code:       code,
		Message:    message,
	})
}

// reject records a violation and answers with a plain Discord error.
// Call it without holding the lock.
func (ex *exchange) reject(status, code int, message string) {
	ex.s.mu.Lock()
	ex.violationLocked("", fmt.Sprint(code), message)
	ex.s.mu.Unlock()
	ex.fail(status, code, message)
}

// rejectForm records one violation per field error and answers 400 with
// Discord's "Invalid Form Body" (50035) error tree. Call it without the lock.
func (ex *exchange) rejectForm(errs []fieldError) {
	ex.s.mu.Lock()
	for _, e := range errs {
		ex.violationLocked(strings.Join(e.path, "."), e.code, e.message)
	}
	ex.s.mu.Unlock()
	ex.reply(http.StatusBadRequest, formErrorBody(errs))
}

// body returns the request's JSON object, or nil when it is not an object.
func (ex *exchange) body() map[string]any {
	m, _ := ex.rec.JSON.(map[string]any)
	return m
}

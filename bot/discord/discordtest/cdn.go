package discordtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The double's CDN serves the files members send with a command's
// attachment options, as cdn.discordapp.com does: under
// /ephemeral-attachments/<channel>/<attachment>/<filename>, signed with
// the ex (expiry), is (issue) and hm (signature) parameters that Discord
// adds to attachment URLs. Like Discord's CDN it needs no bot token, and
// answers 404 to a URL whose signature is missing, wrong or expired.

const cdnPrefix = "/ephemeral-attachments/"

// cdnLifetime is how long a signed attachment URL stays valid on Discord.
const cdnLifetime = 24 * time.Hour

// ServedFile is a file the double serves for an interaction's attachment
// option, as data.resolved.attachments describes it.
type ServedFile struct {
	ID          string
	Filename    string
	ContentType string
	Size        int
	URL         string // the signed URL, on the double's own origin
}

// Download is one request for a file of the double's CDN.
type Download struct {
	AttachmentID string // empty when the path names no file the double serves
	Path         string
	Query        string
	Header       http.Header
	Status       int
	Bytes        int // body bytes the double wrote; the client may read fewer
	Time         time.Time
}

type cdnFile struct {
	Attachment
	channelID string
	ex, is    string // hex Unix seconds, as Discord writes them
	hm        string
	expires   time.Time
}

// serveFileLocked registers a member's file for an interaction in channel
// and returns its attachment object; s.mu must be held.
func (s *Server) serveFileLocked(channelID string, a Attachment) (ServedFile, map[string]any) {
	if a.ID == "" {
		a.ID = s.NewID()
	}
	now := time.Now()
	f := &cdnFile{
		Attachment: a, channelID: channelID,
		is: strconv.FormatInt(now.Unix(), 16), ex: strconv.FormatInt(now.Add(cdnLifetime).Unix(), 16),
		hm: randomHex(32), expires: now.Add(cdnLifetime),
	}
	s.cdn[a.ID] = f
	u := s.URL() + cdnPrefix + channelID + "/" + a.ID + "/" + url.PathEscape(a.Filename) +
		"?ex=" + f.ex + "&is=" + f.is + "&hm=" + f.hm
	obj := map[string]any{
		"id": a.ID, "filename": a.Filename, "size": len(a.Data), "url": u, "proxy_url": u, "ephemeral": true,
	}
	if a.ContentType != "" {
		obj["content_type"] = a.ContentType
	}
	return ServedFile{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: len(a.Data), URL: u}, obj
}

// checkAttachment checks an attachment object the double sends against
// the spec's AttachmentResponse: the spec describes REST answers only, not
// gateway payloads, but the attachment object is the same in both.
func (s *Server) checkAttachment(obj map[string]any) {
	b, err := json.Marshal(obj)
	if err == nil {
		var v any
		if v, err = jsonschema.UnmarshalJSON(bytes.NewReader(b)); err == nil {
			err = s.spec.validateComponent("AttachmentResponse", v)
		}
	}
	if err != nil {
		s.t.Errorf("discordtest: an attachment the double sends does not match the spec: %v", err)
	}
}

// serveCDN answers a request for an attached file.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	d := Download{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Time: time.Now()}
	defer func() {
		s.mu.Lock()
		s.downloads = append(s.downloads, d)
		s.notifyLocked()
		s.mu.Unlock()
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		d.Status = http.StatusMethodNotAllowed
		http.Error(w, "405: Method Not Allowed", d.Status)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, cdnPrefix), "/")
	var f *cdnFile
	if len(parts) == 3 {
		s.mu.Lock()
		f = s.cdn[parts[1]]
		s.mu.Unlock()
	}
	if f == nil || f.channelID != parts[0] || f.Filename != parts[2] {
		d.Status = http.StatusNotFound
		http.Error(w, "404: Not Found", d.Status)
		return
	}
	d.AttachmentID = f.ID
	q := r.URL.Query()
	if q.Get("ex") != f.ex || q.Get("is") != f.is || q.Get("hm") != f.hm || time.Now().After(f.expires) {
		d.Status = http.StatusNotFound
		http.Error(w, "This content is no longer available.", d.Status)
		return
	}
	if rec := (&statusRecorder{ResponseWriter: w}); s.injectFault(rec, r) {
		d.Status = rec.status
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Header().Set("Cache-Control", "public, max-age=31536000")
	d.Status = http.StatusOK
	if r.Method == http.MethodHead {
		return
	}
	d.Bytes, _ = w.Write(f.Data)
}

// Downloads returns the requests for files of the double's CDN, oldest
// first.
func (s *Server) Downloads() []Download {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Download, len(s.downloads))
	for i, d := range s.downloads {
		d.Header = d.Header.Clone()
		out[i] = d
	}
	return out
}

// Package echo is the demo's stand-in for LibreChat: an HTTP handler that answers every request with
// a JSON description of what it received, so a test or a person with curl can see exactly what Traefik
// and the plugin forwarded (path as decoded and as sent, headers including Authorization).
package echo

import (
	"encoding/json"
	"net/http"
)

// Request is what the backend saw of one request. Its JSON form is the response body.
type Request struct {
	// Method is the request method.
	Method string `json:"method"`
	// Host is the Host header as received.
	Host string `json:"host"`
	// Path is the decoded URL path (Request.URL.Path).
	Path string `json:"path"`
	// RawPath is the URL path as sent when it differs from the default encoding of Path
	// (Request.URL.RawPath), or empty.
	RawPath string `json:"rawPath"`
	// RequestURI is the request target exactly as it arrived on the wire.
	RequestURI string `json:"requestURI"`
	// Header holds every request header with its canonical name.
	Header http.Header `json:"header"`
}

// Handler answers every request with 200 and its Request as JSON. When Record is set, it is called
// with each Request before the response is written, so a caller that got the response knows the
// record has been made.
type Handler struct {
	// Record, when not nil, receives a copy of every request the backend serves. It must be safe for
	// concurrent use.
	Record func(Request)
}

// ServeHTTP implements http.Handler.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got := Request{
		Method:     r.Method,
		Host:       r.Host,
		Path:       r.URL.Path,
		RawPath:    r.URL.RawPath,
		RequestURI: r.RequestURI,
		Header:     r.Header.Clone(),
	}
	if h.Record != nil {
		h.Record(got)
	}
	body, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}

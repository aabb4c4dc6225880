package mailintake

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// Reasons the listener gives in its log for not sending a reply.
const (
	skipNullSender    = "null envelope sender"
	skipRobotSender   = "bounce or role sender"
	skipAutoSubmitted = "auto-submitted mail"
	skipBulk          = "bulk or list mail"
	skipUnauth        = "sender not authenticated"
	skipMisaligned    = "envelope sender outside the authenticated domain"
)

// robotLocalParts are senders that never read a reply: bounces and mailing
// list software (RFC 3834 section 2).
var robotLocalParts = map[string]bool{
	"mailer-daemon": true, "postmaster": true, "listserv": true, "majordomo": true,
	"noreply": true, "no-reply": true, "donotreply": true, "do-not-reply": true,
}

// replyTarget decides where the one reply to an unusable mail goes: only to
// an authenticated sender, at its envelope address. It returns the address,
// or "" and the reason for not replying. The reply must not go to Reply-To
// or to an unauthenticated From or envelope sender: anyone could write a
// victim's address there and have the intake mail the victim (RFC 3834
// section 4 sends responses to the envelope sender for the same reason).
// The envelope sender must be in the From domain that passed DMARC, or a
// domain above or below it: DMARC authenticates the From domain, and a
// DKIM-aligned pass says nothing of the envelope. Bounces, robots,
// auto-submitted and bulk mail get no reply, so that two robots cannot
// keep answering each other.
func replyTarget(p Parsed, envFrom string) (to, skip string) {
	envFrom = normalizeAddr(envFrom)
	local, domain, _ := strings.Cut(envFrom, "@")
	switch {
	case envFrom == "":
		return "", skipNullSender
	case robotLocalParts[local] || strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request"):
		return "", skipRobotSender
	case p.autoSubmitted != "" && p.autoSubmitted != "no":
		return "", skipAutoSubmitted
	case p.precedence == "bulk" || p.precedence == "list" || p.precedence == "junk":
		return "", skipBulk
	case !p.Authenticated:
		return "", skipUnauth
	case !aligned(domain, addrDomain(p.From)):
		return "", skipMisaligned
	}
	return envFrom, ""
}

// aligned reports whether two domains are equal or one is a subdomain of
// the other (DMARC's relaxed alignment, without a public suffix list, so
// only stricter).
func aligned(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}

// addrDomain returns the domain of an address, lower case, or "".
func addrDomain(addr string) string {
	_, d, ok := strings.Cut(normalizeAddr(addr), "@")
	if !ok {
		return ""
	}
	return d
}

// keyID identifies a deduplication key in the log without writing the
// key, which holds the reporter's address.
func keyID(key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// addressPattern matches anything address-like in a message written to the
// log.
var addressPattern = regexp.MustCompile(`[^\s<>"'(),;:\[\]]*@[^\s<>"'(),;:\[\]]*`)

// redact removes addresses from an error message before it is logged: a
// relay's or a store's error may quote the address it failed on.
func redact(s string) string {
	return addressPattern.ReplaceAllString(s, "[address]")
}

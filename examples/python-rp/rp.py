"""A FranceConnect+ relying party in Python, for CI against fcemulator.

It signs people in with the authorization code flow and checks what
FranceConnect+ sends the way a qualified service provider must: state and
iss on the callback, the id_token and the userinfo decrypted (ECDH-ES,
A256GCM) and verified (ES256, the provider's JWKS fetched again once for an
unknown kid), iss, aud, azp, exp, iat, nonce and acr, the userinfo's sub equal to
the id_token's; logout through the browser with id_token_hint and state,
after revoking the access token.

Run it with the variables below, then open RP_BASE_URL/login. Debian's
python3-jwcrypto and python3-requests are all it needs.

  FC_ISSUER          the emulator's issuer, e.g. http://127.0.0.1:8090/api/v2
  FC_CLIENT_ID       the client_id registered in the emulator's clients file
  FC_CLIENT_SECRET   its client_secret
  RP_BASE_URL        where this relying party listens, e.g. http://127.0.0.1:3000
  RP_KEY_FILE        its private encryption key (a JWK), created when missing
  RP_TIMEOUT         seconds it waits for the platform (default 5)
  RP_CLOCK_URL       tests only: the emulator's GET /_emulator/clock, whose offset
                     this relying party adds to its clock, as a test moves the
                     clock of the service it tests when it moves the emulator's
  REQUESTS_CA_BUNDLE the emulator's certificate, when it serves HTTPS

Its pages: /login, /callback, /logout, /logged-out, and /client/keys, the
public JWK Set of its registration (jwks_uri).
"""

import hmac
import http.cookies
import http.server
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse

import requests
from jwcrypto import jwe, jwk, jws

ACCEPTED_ACR = ("eidas2", "eidas3")  # requested eidas2: eidas3 satisfies it
LEEWAY = 30  # seconds of clock skew accepted on exp and iat


class Refused(Exception):
    """A login or logout the relying party refuses, with the reason."""


class RelyingParty:
    """The protocol side: authorization URL, callback, userinfo, logout."""

    def __init__(self, issuer, client_id, client_secret, base_url, key, timeout=5.0, clock_url=None):
        self.issuer, self.client_id, self.client_secret = issuer, client_id, client_secret
        self.clock_url = clock_url
        self.redirect_uri = base_url + "/callback"
        self.post_logout_redirect_uri = base_url + "/logged-out"
        self.key, self.timeout = key, timeout
        self.http = requests.Session()
        meta = self._get_json(issuer + "/.well-known/openid-configuration")
        if meta.get("issuer") != issuer:
            raise Refused("discovery names issuer %r, not %r" % (meta.get("issuer"), issuer))
        self.meta, self.jwks, self.lock = meta, None, threading.Lock()

    def now(self):
        """The time, moved like the emulator's clock when RP_CLOCK_URL is set."""
        if self.clock_url:
            return time.time() + self._get_json(self.clock_url)["offset_seconds"]
        return time.time()

    def _get_json(self, url):
        resp = self.http.get(url, timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def authorization_url(self, session):
        session["state"], session["nonce"] = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": "openid given_name family_name birthdate email", "acr_values": "eidas2",
            "state": session["state"], "nonce": session["nonce"]})
        return self.meta["authorization_endpoint"] + "?" + query

    def callback(self, session, query):
        """Checks the callback, redeems the code and returns the userinfo claims."""
        state = session.pop("state", None)
        nonce = session.pop("nonce", None)
        if not state or not hmac.compare_digest(query.get("state", ""), state):
            raise Refused("state does not match the login started here")
        if query.get("iss") != self.issuer:
            raise Refused("iss %r is not the configured issuer" % query.get("iss"))
        if "error" in query:
            raise Refused("the platform answered %s: %s" % (query["error"], query.get("error_description", "")))
        tokens = self._token(query.get("code", ""))
        claims, hint = self._id_token(tokens.get("id_token"), nonce)
        info = self._userinfo(tokens.get("access_token", ""))
        if info.get("sub") != claims["sub"]:
            raise Refused("the userinfo is about another person (sub)")
        session.update(user=info, id_token_hint=hint, access_token=tokens.get("access_token"))
        return info

    def _token(self, code):
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self.client_id, "client_secret": self.client_secret}
        resp = self.http.post(self.meta["token_endpoint"], data=form, timeout=self.timeout)
        if resp.status_code != 200:
            raise Refused("token endpoint answered HTTP %d %s" % (resp.status_code, _error_of(resp)))
        return resp.json()

    def _userinfo(self, access_token):
        resp = self.http.get(self.meta["userinfo_endpoint"], timeout=self.timeout,
                             headers={"Authorization": "Bearer " + access_token})
        if resp.status_code != 200:
            raise Refused("userinfo answered HTTP %d %s" % (resp.status_code, _error_of(resp)))
        if resp.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
            raise Refused("userinfo is %r, not application/jwt" % resp.headers.get("Content-Type"))
        claims, _ = self._open(resp.text)
        self._check_common(claims)
        return claims

    def _id_token(self, token, nonce):
        if not token:
            raise Refused("the token response has no id_token")
        claims, inner = self._open(token)
        self._check_common(claims)
        if "azp" in claims and claims["azp"] != self.client_id:  # OpenID Connect Core 3.1.3.7
            raise Refused("azp %r is not this client" % (claims["azp"],))
        now = self.now()
        for name in ("sub", "iat", "exp", "nonce", "acr"):
            if name not in claims:
                raise Refused("the id_token has no %s" % name)
        if claims["exp"] < now - LEEWAY:
            raise Refused("the id_token expired")
        if claims["iat"] > now + LEEWAY:
            raise Refused("the id_token is issued in the future")
        if not nonce or not hmac.compare_digest(str(claims["nonce"]), nonce):
            raise Refused("nonce does not match the login started here")
        if claims["acr"] not in ACCEPTED_ACR:
            raise Refused("acr %r is not an accepted level" % claims["acr"])
        return claims, inner

    def _check_common(self, claims):
        if claims.get("iss") != self.issuer:
            raise Refused("iss %r is not the configured issuer" % claims.get("iss"))
        if claims.get("aud") != self.client_id:  # a string: an array is refused
            raise Refused("aud %r is not this client" % (claims.get("aud"),))

    def _open(self, token):
        """Decrypts the JWE and verifies the JWS inside; returns the claims and the JWS."""
        if token.count(".") != 4:
            raise Refused("not encrypted: FranceConnect+ always encrypts")
        outer = jwe.JWE(algs=["ECDH-ES", "A256GCM"])
        try:
            outer.deserialize(token, key=self.key)
        except Exception as exc:  # jwcrypto raises several types for bad input
            raise Refused("cannot decrypt: %s" % type(exc).__name__) from None
        header = json.loads(outer.objects["protected"])
        if header.get("alg") != "ECDH-ES" or header.get("enc") != "A256GCM":
            raise Refused("encrypted with %s/%s" % (header.get("alg"), header.get("enc")))
        inner = outer.payload.decode()
        if inner.count(".") != 2:
            raise Refused("the JWE does not carry a signed JWT")
        signed = jws.JWS()
        try:
            signed.deserialize(inner)
        except Exception as exc:
            raise Refused("malformed JWS: %s" % type(exc).__name__) from None
        if signed.jose_header.get("alg") != "ES256":
            raise Refused("signed with %r, not ES256" % signed.jose_header.get("alg"))
        signed.allowed_algs = ["ES256"]
        try:
            signed.verify(self._signing_key(signed.jose_header.get("kid")))
        except Refused:
            raise
        except Exception:
            raise Refused("bad signature") from None
        return json.loads(signed.payload), inner

    def _signing_key(self, kid):
        """The provider key for kid, fetching the JWKS again once when it is unknown
        (a production relying party also rate-limits these refreshes)."""
        for refresh in (False, True):
            with self.lock:
                if self.jwks is None or refresh:
                    self.jwks = jwk.JWKSet.from_json(self.http.get(
                        self.meta["jwks_uri"], timeout=self.timeout).text)
                keys = [k for k in self.jwks["keys"] if k.get("alg") in (None, "ES256")]
            if kid is None and len(keys) == 1:
                return keys[0]  # no kid: only when a single ES256 key is published
            match = [k for k in keys if k.get("kid") == kid] if kid else []
            if match:
                return match[0]
        raise Refused("no provider key %r" % kid)

    def logout_url(self, session):
        """Ends the local session, revokes the access token and returns the platform's logout URL."""
        self._revoke(session.get("access_token"))
        session["logout_state"] = secrets.token_urlsafe(32)
        query = urllib.parse.urlencode({"id_token_hint": session.pop("id_token_hint", ""),
                                        "state": session["logout_state"],
                                        "post_logout_redirect_uri": self.post_logout_redirect_uri})
        session.pop("user", None)
        return self.meta["end_session_endpoint"] + "?" + query

    def _revoke(self, token):
        """Revokes the access token; a failure does not stop the logout."""
        if not token:
            return
        form = {"token": token, "client_id": self.client_id, "client_secret": self.client_secret}
        try:
            resp = self.http.post(self.meta["revocation_endpoint"], data=form, timeout=self.timeout)
            if resp.status_code != 200:
                print("revocation answered HTTP %d: logging out all the same" % resp.status_code, file=sys.stderr)
        except requests.RequestException as exc:
            print("revocation failed (%s): logging out all the same" % type(exc).__name__, file=sys.stderr)

    def logout_callback(self, session, query):
        state = session.pop("logout_state", None)
        if not state or not hmac.compare_digest(query.get("state", ""), state):
            raise Refused("the logout state does not match")


def _error_of(resp):
    try:
        return resp.json().get("error", "")
    except ValueError:
        return ""


def handler_for(rp, public_jwks):
    """The web side: pages and an in-memory session per browser."""
    sessions, lock = {}, threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # one line per request is the emulator's job
            pass

        def session(self):
            cookie = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
            sid = cookie["rp_session"].value if "rp_session" in cookie else ""
            with lock:
                if sid not in sessions:
                    sid = secrets.token_urlsafe(32)
                    sessions[sid] = {}
                return sid, sessions[sid]

        def answer(self, status, body, location=None, sid=None, content_type="text/html; charset=utf-8"):
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            if sid:
                self.send_header("Set-Cookie", "rp_session=%s; Path=/; HttpOnly; SameSite=Lax" % sid)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            data = body.encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def page(self, status, text):
            self.answer(status, '<!doctype html><html lang="fr"><title>Service de démonstration</title>'
                                '<p id="result">%s</p></html>' % text)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            sid, session = self.session()
            try:
                if url.path == "/client/keys":
                    self.answer(200, public_jwks, content_type="application/json")
                elif url.path == "/login":
                    self.answer(303, "", location=rp.authorization_url(session), sid=sid)
                elif url.path == "/callback":
                    user = rp.callback(session, query)
                    self.page(200, "Bonjour %s" % user.get("given_name", ""))
                elif url.path == "/logout":
                    self.answer(303, "", location=rp.logout_url(session), sid=sid)
                elif url.path == "/logged-out":
                    rp.logout_callback(session, query)
                    self.page(200, "Déconnexion réussie")
                else:
                    self.page(404, "Page inconnue")
            except Refused as exc:
                self.page(403, "Connexion refusée : %s" % exc)
            except requests.RequestException as exc:
                self.page(502, "FranceConnect ne répond pas : %s" % type(exc).__name__)

    return Handler


def main():
    base_url = os.environ["RP_BASE_URL"]
    key_file = os.environ.get("RP_KEY_FILE", "rp-key.json")
    if os.path.exists(key_file):
        with open(key_file) as f:
            key = jwk.JWK.from_json(f.read())
    else:
        key = jwk.JWK.generate(kty="EC", crv="P-256", kid="rp-enc-1", use="enc", alg="ECDH-ES")
        with open(key_file, "w") as f:
            f.write(key.export_private())
        os.chmod(key_file, 0o600)
    public_jwks = json.dumps({"keys": [json.loads(key.export_public())]})
    rp = RelyingParty(os.environ["FC_ISSUER"], os.environ["FC_CLIENT_ID"], os.environ["FC_CLIENT_SECRET"],
                      base_url, key, float(os.environ.get("RP_TIMEOUT", "5")), os.environ.get("RP_CLOCK_URL"))
    address = urllib.parse.urlsplit(base_url)
    server = http.server.ThreadingHTTPServer((address.hostname, address.port), handler_for(rp, public_jwks))
    print("relying party ready on %s" % base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

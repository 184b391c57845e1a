"""A SAML 2.0 identity provider for Værn's single sign-on tests, on pysaml2's IdP (saml2.server).

It speaks the OIOSAML 3 profile as Fælleskommunal Adgangsstyring does: AuthnRequests by
HTTP-Redirect, which must be signed by the service provider's key from its metadata; responses
by HTTP-POST with the response and the assertion signed (RSA-SHA256, exclusive C14N) and, when
asked, the assertion encrypted to the service provider's certificate; the user's roles as a
base64 bpp:PrivilegeList in the privilegesIntermediate attribute.

    saml_idp.py --port P --key idp.key --cert idp.crt --sp-metadata-dir DIR
                [--impersonate BASE] [--lifetime SECONDS] [--encrypt] --user JSON [--user JSON ...]

An impostor (--impersonate) takes another IdP's entity ID and answers requests addressed to
it, with its own key. A user is {"username": ..., "name": ..., "privileges": [...], "scope": "urn:dk:gov:saml:..."}.
The login page lists them; its form may also name another audience (the tests' wrongly
addressed assertion). The service providers it trusts are the metadata files in DIR, read
as they appear there (the service providers start after the IdP, from its metadata).
"""

import argparse
import base64
import html
import json
import os
import secrets
import sys
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import saml2.entity
import saml2.sigver
from saml2 import BINDING_HTTP_REDIRECT
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
ASSURANCE = "https://data.gov.dk/concept/core/nsis/loa"


# pysaml2 encrypts with 3DES; OIOSAML 3 asks for AES-256-GCM.
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"


def pre_encryption_part(**kwargs):
    kwargs.setdefault("msg_enc", AES256_GCM)
    return saml2.sigver.pre_encryption_part(**kwargs)


saml2.entity.pre_encryption_part = pre_encryption_part
_encrypt_assertion = saml2.sigver.SecurityContext.encrypt_assertion


def encrypt_assertion(self, statement, enc_key, template, key_type="aes-256", node_xpath=None):
    return _encrypt_assertion(self, statement, enc_key, template, "aes-256", node_xpath)


saml2.sigver.SecurityContext.encrypt_assertion = encrypt_assertion


def privilege_list(user):
    privileges = "".join(
        "<Privilege>{}</Privilege>".format(html.escape(p)) for p in user["privileges"]
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<PrivilegeGroup Scope="{}">{}</PrivilegeGroup></bpp:PrivilegeList>'
    ).format(html.escape(user.get("scope", "")), privileges)
    return base64.b64encode(xml.encode()).decode()


class IdP:
    def __init__(self, args):
        self.args = args
        self.base = "http://127.0.0.1:{}".format(args.port)
        self.users = {u["username"]: u for u in (json.loads(text) for text in args.user)}
        self.pending = {}
        self.logged_out = []
        self.server = Server(config=self.config())
        # Attributes go out under their OIOSAML names as they are (no friendly-name map).
        converter = AttributeConverter()
        converter.from_dict({"identifier": NAME_FORMAT_URI, "fro": {}, "to": {}})
        self.server.config.attribute_converters = [converter]
        self.sp_loaded = set()

    def config(self):
        config = IdPConfig()
        config.load(
            {
                "entityid": (self.args.impersonate + [self.base])[0] + "/metadata",
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (base + "/sso/redirect", BINDING_HTTP_REDIRECT)
                                for base in [self.base] + self.args.impersonate
                            ],
                            "single_logout_service": [
                                (base + "/slo/redirect", BINDING_HTTP_REDIRECT)
                                for base in [self.base] + self.args.impersonate
                            ],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"seconds": self.args.lifetime},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": True,
                    }
                },
                "key_file": self.args.key,
                "cert_file": self.args.cert,
                "encryption_keypairs": [{"key_file": self.args.key, "cert_file": self.args.cert}],
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "metadata": {},
            }
        )
        return config

    def load_service_providers(self):
        for name in sorted(os.listdir(self.args.sp_metadata_dir)):
            if name.endswith(".xml") and name not in self.sp_loaded:
                with open(os.path.join(self.args.sp_metadata_dir, name)) as file:
                    self.server.metadata.load("inline", file.read())
                self.sp_loaded.add(name)

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        try:
            if path == "/metadata":
                body = create_metadata_string(None, config=self.server.config, valid=48)
                return respond(start_response, "200 OK", "application/samlmetadata+xml", body)
            if path == "/sso/redirect":
                return self.single_sign_on(environ, start_response)
            if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                return self.log_in(environ, start_response)
            if path == "/slo/redirect":
                return self.single_logout(environ, start_response)
            if path == "/slo/start":
                return self.start_logout(environ, start_response)
            if path == "/slo/log":
                return respond(start_response, "200 OK", "text/plain", "\n".join(self.logged_out))
        except Refused as refused:
            return respond(start_response, "400 Bad Request", "text/plain", str(refused))
        return respond(start_response, "404 Not Found", "text/plain", "not found")

    def single_sign_on(self, environ, start_response):
        self.load_service_providers()
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if "SAMLRequest" not in query:
            raise Refused("no SAMLRequest")
        if "Signature" not in query or query.get("SigAlg") != SIG_RSA_SHA256:
            raise Refused("the AuthnRequest is not signed with RSA-SHA256")
        # pysaml2 checks the redirect binding's signature against the service provider's
        # certificate in its metadata (want_authn_requests_signed).
        try:
            request = self.server.parse_authn_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query["SigAlg"],
                signature=query["Signature"],
            )
        except Exception as error:
            raise Refused("the AuthnRequest is refused: {!r}".format(error))
        key = secrets.token_urlsafe(16)
        self.pending[key] = (request.message, query.get("RelayState", ""))
        options = "".join(
            '<option value="{0}">{0}</option>'.format(html.escape(name)) for name in self.users
        )
        page = (
            '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Test-IdP</title>'
            "</head><body><main><h1>Test-IdP: log ind</h1>"
            '<form method="post" action="/sso/login"><input type="hidden" name="key" value="{}">'
            '<label for="username">Bruger</label> <select id="username" name="username" autofocus>{}</select>'
            ' <button type="submit">Log ind</button></form></main></body></html>'
        ).format(key, options)
        return respond(start_response, "200 OK", "text/html; charset=utf-8", page)

    def log_in(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        request, relay = self.pending.pop(form.get("key", ""), (None, None))
        if request is None:
            raise Refused("no login under way")
        user = self.users.get(form.get("username", ""))
        if user is None:
            raise Refused("no such user")
        sp = request.issuer.text
        acs = request.assertion_consumer_service_url
        identity = {
            SPEC_VERSION: ["OIO-SAML-3.0"],
            ASSURANCE: ["Substantial"],
            FULL_NAME: [user["name"]],
            EMAIL: [user["username"]],
            PRIVILEGES: [privilege_list(user)],
        }
        response = self.server.create_authn_response(
            identity,
            in_response_to=request.id,
            destination=acs,
            sp_entity_id=form.get("audience") or sp,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["username"]),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=self.args.encrypt,
            encrypt_assertion_self_contained=True,
            encrypt_cert_assertion=self.sp_encryption_cert(sp) if self.args.encrypt else None,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        page = (
            '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Test-IdP</title>'
            '</head><body><main><h1>Test-IdP: videre til Værn</h1><form method="post" action="{}">'
            '<input type="hidden" name="SAMLResponse" value="{}">'
            '<input type="hidden" name="RelayState" value="{}">'
            '<button type="submit" id="continue" autofocus>Fortsæt</button></form></main></body></html>'
        ).format(html.escape(acs), encoded, html.escape(relay))
        return respond(start_response, "200 OK", "text/html; charset=utf-8", page)

    def sp_logout_location(self, sp):
        services = self.server.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")
        if not services:
            raise Refused(sp + " has no logout endpoint by HTTP-Redirect in its metadata")
        return services[0]["location"]

    def redirect(self, start_response, message, destination, relay, response):
        http = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(message),
            destination,
            relay,
            response=response,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        location = dict(http["headers"])["Location"]
        start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
        return [b""]

    def single_logout(self, environ, start_response):
        """A service provider's signed LogoutRequest: the user's session here ends (it is
        remembered in `logged_out`, shown at /slo/log) and the provider gets a signed answer."""
        self.load_service_providers()
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if "SAMLResponse" in query:
            # The answer to a logout this IdP started (/slo/start).
            page = "<!doctype html><html lang='da'><title>Test-IdP</title><p>Logget ud</p></html>"
            return respond(start_response, "200 OK", "text/html; charset=utf-8", page)
        if "Signature" not in query or query.get("SigAlg") != SIG_RSA_SHA256:
            raise Refused("the LogoutRequest is not signed with RSA-SHA256")
        try:
            request = self.server.parse_logout_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query["SigAlg"],
                signature=query["Signature"],
            )
        except Exception as error:
            raise Refused("the LogoutRequest is refused: {!r}".format(error))
        message = request.message
        sp = message.issuer.text
        self.logged_out.append(
            "{} {}".format(message.name_id.text, ",".join(i.text for i in message.session_index))
        )
        response = self.server.create_logout_response(message, [BINDING_HTTP_REDIRECT])
        return self.redirect(
            start_response, response, self.sp_logout_location(sp), query.get("RelayState", ""), True
        )

    def start_logout(self, environ, start_response):
        """The user logs out here (?sp=ENTITY&username=U): the service provider is asked to end
        its session by a signed LogoutRequest."""
        self.load_service_providers()
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        sp = query.get("sp", "")
        destination = self.sp_logout_location(sp)
        _, request = self.server.create_logout_request(
            destination,
            sp,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=query.get("username", "")),
            reason="urn:oasis:names:tc:SAML:2.0:logout:user",
        )
        return self.redirect(start_response, request, destination, "", False)

    def sp_encryption_cert(self, sp):
        certs = self.server.metadata.certs(sp, "spsso", "encryption")
        if not certs:
            raise Refused(sp + " has no encryption certificate in its metadata")
        pem = certs[0][1]
        return "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n".format(pem)


class Refused(Exception):
    pass


def respond(start_response, status, kind, body):
    data = body.encode() if isinstance(body, str) else body
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data)))])
    return [data]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--impersonate", action="append", default=[])
    parser.add_argument("--sp-metadata-dir", required=True)
    parser.add_argument("--lifetime", type=int, default=300)
    parser.add_argument("--encrypt", action="store_true")
    parser.add_argument("--user", action="append", default=[])
    args = parser.parse_args()
    app = IdP(args)
    server = make_server("127.0.0.1", args.port, app, server_class=Threading, handler_class=Quiet)
    print("listening", flush=True, file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()

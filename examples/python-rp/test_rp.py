"""The tests a CI pipeline runs on the Python relying party, against fcemulator.

They play the browser (fcemulator runs with -auto-login, so a login is a
chain of redirects) and use the emulator's admin API: a login and a logout,
a code that expires on the emulator's clock, and every fault of the
emulator's catalogue that applies to this client, each aimed at it, checked
against what the catalogue says a correct relying party does.

  FCEMULATOR_URL  the emulator's base URL, e.g. http://127.0.0.1:8090
  RP_BASE_URL     the relying party's, e.g. http://127.0.0.1:3000
  FC_CLIENT_ID    its client_id
"""

import os
import unittest

import requests

EMULATOR = os.environ["FCEMULATOR_URL"]
RP = os.environ["RP_BASE_URL"]
CLIENT_ID = os.environ["FC_CLIENT_ID"]

# The steps a login through the relying party reaches. Discovery is read
# once when the relying party starts, and the JWKS is cached: their faults
# need a relying party started anew for each, which this suite does not do.
STEPS = ("authorize", "token", "userinfo", "logout", "revocation")


def admin(method, path, body=None):
    resp = requests.request(method, EMULATOR + "/_emulator/" + path, json=body, timeout=10)
    if resp.status_code != 200:
        raise AssertionError("admin %s %s: HTTP %d %s" % (method, path, resp.status_code, resp.text))
    return resp.json()


def signed_in(page):
    return page.status_code == 200 and "Bonjour" in page.text


class RelyingPartyTest(unittest.TestCase):
    def setUp(self):
        admin("POST", "faults/clear", {"client_id": CLIENT_ID})
        self.browser = requests.Session()

    def login(self):
        return self.browser.get(RP + "/login", timeout=30)

    def logout(self):
        return self.browser.get(RP + "/logout", timeout=30)

    def test_login_and_logout(self):
        page = self.login()
        self.assertTrue(signed_in(page), page.text)
        self.assertIn("Camille", page.text)
        page = self.logout()
        self.assertEqual(200, page.status_code, page.text)
        self.assertIn("Déconnexion réussie", page.text)

    def test_code_expires_on_the_emulator_clock(self):
        to_platform = self.browser.get(RP + "/login", allow_redirects=False, timeout=10)
        to_callback = self.browser.get(to_platform.headers["Location"], allow_redirects=False, timeout=10)
        admin("POST", "clock", {"advance": "31s"})  # the code lives 30 seconds
        page = self.browser.get(to_callback.headers["Location"], timeout=10)
        self.assertFalse(signed_in(page))
        self.assertIn("invalid_grant", page.text)

    def test_every_applicable_fault(self):
        catalogue = admin("GET", "faults?client_id=" + CLIENT_ID)["available"]
        ran = 0
        for fault in catalogue:
            rotation = fault["name"] == "FaultSigningKeyRotated"
            if fault["step"] not in STEPS and not rotation:
                continue
            with self.subTest(fault=fault["name"]):
                self.run_fault(fault)
                ran += 1
        self.assertGreater(ran, 50)

    def run_fault(self, fault):
        aimed = {"fault": fault["name"], "client_id": CLIENT_ID}
        if fault["name"].endswith("Latency"):
            aimed["delay"] = "100ms"
        at_logout = fault["step"] in ("logout", "revocation")
        admin("POST", "faults/clear", {"client_id": CLIENT_ID})
        self.browser = requests.Session()
        if at_logout:
            self.assertTrue(signed_in(self.login()))
        admin("POST", "faults/inject", {"faults": [aimed]})
        page = self.logout() if at_logout else self.login()
        done = page.status_code == 200 and ("Déconnexion réussie" in page.text or "Bonjour" in page.text)
        pending = admin("GET", "faults?client_id=" + CLIENT_ID)["pending"]
        self.assertEqual([], pending, "the fault was not applied: the login did not reach its step")
        if fault["outcome"] == "refuse":
            self.assertFalse(done, "%s: a correct relying party refuses: %s" % (fault["name"], fault["expected"]))
        else:
            self.assertTrue(done, "%s: a correct relying party continues: %s\n%s"
                            % (fault["name"], fault["expected"], page.text))


if __name__ == "__main__":
    unittest.main()

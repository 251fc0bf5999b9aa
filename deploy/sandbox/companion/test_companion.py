"""Offline tests of the companion's template renderer, Lambda policy check and render_key.py CLI.

Standard library only:  python3 -m unittest discover -s deploy/sandbox/companion -p 'test_*.py'
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import policy  # noqa: E402
import templates as tpl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FN = "arn:aws:lambda:us-east-1:222222222222:function:example-function"
RULE = "arn:aws:iot:us-east-1:111111111111:rule/lambda_rule"


def ctx(topic="iot/test", payload=None, **kw):
    return tpl.Context(topic=topic, payload=tpl.UNDEFINED if payload is None else payload, **kw)


class Templates(unittest.TestCase):
    def r(self, template, c):
        out = tpl.render(template, c)
        return out.text if out.exact else ("PARTIAL", out.text)

    def test_topic_levels_and_missing_fields(self):
        c = ctx("a/b/c", {"x": {"y": 1}, "s": "t", "arr": [1, {"k": "v"}]}, timestamp_ms=5)
        self.assertEqual(self.r("${topic()}/${topic(1)}/${topic(3)}/${topic(4)}/${topic(0)}", c), "a/b/c/a/c//")
        self.assertEqual(self.r("${x.y}-${s}-${nope.deeper}-${arr[1].k}-${x}", c), '1-t--v-{"y":1}')
        self.assertEqual(self.r("${timestamp()}", c), "5")
        self.assertEqual(self.r("k-${'lit'}-${42}", c), "k-lit-42")

    def test_clientid_default_and_unknowns(self):
        self.assertEqual(self.r("${clientid()}", ctx()), "n/a")
        self.assertEqual(self.r("${clientid()}", ctx(client_id="dev1")), "dev1")
        self.assertEqual(self.r("p/${topic()}/${timestamp()}/z", ctx()), ("PARTIAL", "p/iot/test/"))
        self.assertEqual(self.r("${newuuid()}", ctx()), ("PARTIAL", ""))
        self.assertEqual(self.r("a${traceid()}", ctx()), ("PARTIAL", "a"))

    def test_non_json_payload_fields_are_empty(self):
        c = ctx(payload=tpl.decode_payload(b"not json"))
        self.assertEqual(self.r("[${a.b}]", c), "[]")

    def test_basic_ingest_split(self):
        self.assertEqual(tpl.split_basic_ingest("$aws/rules/s3_rule/iot/test"), ("s3_rule", "iot/test"))
        self.assertEqual(tpl.split_basic_ingest("$aws/rules/s3_rule"), ("s3_rule", ""))
        self.assertEqual(tpl.split_basic_ingest("iot/test"), (None, "iot/test"))

    def test_malformed(self):
        with self.assertRaises(tpl.TemplateError):
            tpl.render("a/${topic()", ctx())
        with self.assertRaises(tpl.TemplateError):
            tpl.render("a/${}", ctx())


def perm(cond=None, **over):
    st = {"Sid": "s", "Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"},
          "Action": "lambda:InvokeFunction", "Resource": FN}
    if cond is not None:
        st["Condition"] = cond
    st.update(over)
    return {"Version": "2012-10-17", "Statement": [st]}


class LambdaPolicy(unittest.TestCase):
    def ok(self, doc):
        return policy.iot_may_invoke(doc, FN, RULE, "111111111111").allowed

    def test_sandbox_permission(self):
        doc = perm({"ArnLike": {"AWS:SourceArn": RULE}, "StringEquals": {"AWS:SourceAccount": "111111111111"}})
        self.assertTrue(self.ok(doc))
        self.assertTrue(self.ok(json.dumps(doc)))

    def test_wrong_rule_account_or_principal(self):
        self.assertFalse(self.ok(perm({"ArnLike": {"AWS:SourceArn": RULE.replace("lambda_rule", "example_rule")}})))
        self.assertFalse(self.ok(perm({"StringEquals": {"aws:SourceAccount": "333333333333"}})))
        self.assertFalse(self.ok(perm(Principal={"Service": "sns.amazonaws.com"})))
        self.assertFalse(self.ok(perm(Action="lambda:GetFunction")))
        self.assertFalse(self.ok(None))

    def test_wildcards_and_deny(self):
        self.assertTrue(self.ok(perm({"ArnLike": {"aws:SourceArn": "arn:aws:iot:us-east-1:111111111111:rule/*"}},
                                     Action="lambda:*", Resource=FN + "*")))
        self.assertTrue(self.ok(perm(None, Principal="*", Action="*")))
        doc = perm()
        doc["Statement"].append({"Effect": "Deny", "Principal": "*", "Action": "lambda:*", "Resource": "*"})
        self.assertFalse(self.ok(doc))

    def test_unknown_condition_key_does_not_match(self):
        self.assertFalse(self.ok(perm({"StringEquals": {"aws:PrincipalOrgID": "o-1"}})))
        self.assertTrue(self.ok(perm({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}})))


class RenderKeyCli(unittest.TestCase):
    def run_cli(self, *args):
        p = subprocess.run([sys.executable, os.path.join(HERE, "render_key.py"), *args],
                           capture_output=True, text=True)
        return p.returncode, json.loads(p.stdout)

    def test_exact_and_partial(self):
        self.assertEqual(self.run_cli("--template", "${topic()}/${timestamp()}", "--topic", "$aws/rules/s3_rule/iot/test",
                                      "--payload", "{}", "--timestamp", "1700000000000"),
                         (0, {"exact": True, "key": "iot/test/1700000000000"}))
        self.assertEqual(self.run_cli("--template", "${topic()}/${timestamp()}", "--topic", "iot/test",
                                      "--basic-ingest-rule", "s3_rule", "--payload", "{}"),
                         (0, {"exact": False, "known_prefix": "iot/test/"}))

    def test_errors_are_json(self):
        code, out = self.run_cli("--template", "${", "--topic", "t", "--payload", "{}")
        self.assertEqual(code, 2)
        self.assertIn("error", out)


if __name__ == "__main__":
    unittest.main()

# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: public_ip
author:
  - seed.lightsail maintainers (@seed-lightsail)
short_description: The controller's current public IP address, as a firewall source
version_added: 1.0.0
description:
  - Asks a URL that answers with the caller's address (by default AWS's own U(https://checkip.amazonaws.com)) and
    returns that address as a source for a Lightsail rule, V(198.51.100.7/32) for IPv4 or V(2001:db8::7/128) for IPv6.
  - The answer is accepted only when it is a single global unicast address; a private, loopback, link-local, multicast,
    reserved or documentation address, several addresses, or anything else (an HTML page from a captive portal, an
    error) is an error that quotes the start of the answer.
  - Runs on the controller. In AWX or Automation Controller that is the execution node, whose public address is not
    the address of the person who launched the job.
  - Takes no terms; returns a list of one source.
options:
  url:
    description:
      - The URL to ask. It must answer C(200) with the address as the body, optionally followed by a newline.
    type: str
    default: https://checkip.amazonaws.com
    env:
      - name: SEED_LIGHTSAIL_PUBLIC_IP_URL
  timeout:
    description:
      - Seconds to wait for the answer.
    type: float
    default: 10
  validate_certs:
    description:
      - Whether to validate the server's TLS certificate.
    type: bool
    default: true
notes:
  - The address is that of the controller's route to O(url). A controller behind a proxy or with several uplinks may
    reach the instance from another address; check with the service you use.
"""

EXAMPLES = r"""
- name: SSH from here for 30 minutes
  seed.lightsail.lightsail_instance_access:
    instance_name: web-1
    grant_id: deploy-7
    duration: 30m
    reason: deploy 7
    sources: ["{{ lookup('seed.lightsail.public_ip') }}"]

- name: Ask another service, with a short timeout
  ansible.builtin.debug:
    msg: "{{ lookup('seed.lightsail.public_ip', url='https://ipv6.example.net/', timeout=3) }}"
"""

RETURN = r"""
_raw:
  description: One source, the address with its full prefix length.
  type: list
  elements: str
  sample: ["198.51.100.7/32"]
"""

import ipaddress

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import open_url
from ansible.plugins.lookup import LookupBase

MAX_ANSWER_BYTES = 1024


def public_source_from_answer(body, url):
    """The body of an address service's answer -> '<address>/32' or '<address>/128'; ValueError naming url otherwise."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    except UnicodeDecodeError:
        raise ValueError("%s answered something that is not text, not an address" % url)
    shown = repr(text.strip()[:60])
    tokens = text.split()
    if len(tokens) != 1:
        raise ValueError("%s answered %s, not a single address" % (url, shown))
    try:
        address = ipaddress.ip_address(tokens[0])
    except ValueError:
        raise ValueError("%s answered %s, not an IPv4 or IPv6 address" % (url, shown))
    problem = _not_public(address)
    if problem:
        raise ValueError("%s answered %s, which is %s, not a public address: the controller's public address cannot be told from it"
                         % (url, shown, problem))
    return "%s/%d" % (address, address.max_prefixlen)


def _not_public(address):
    checks = (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"), ("is_multicast", "a multicast address"),
              ("is_unspecified", "the unspecified address"), ("is_reserved", "a reserved address"),
              ("is_private", "a private or special-purpose address"))
    for attribute, description in checks:
        if getattr(address, attribute):
            return description
    if address.version == 6 and address.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address"
    if not address.is_global:
        return "not a global address"
    return None


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if terms:
            raise AnsibleLookupError("seed.lightsail.public_ip takes no terms, got %s; pass url= and timeout= as options" % (terms,))
        url, timeout = self.get_option("url"), self.get_option("timeout")
        if not timeout or timeout <= 0:
            raise AnsibleLookupError("seed.lightsail.public_ip: timeout must be a positive number of seconds, got %r" % (timeout,))
        try:
            response = open_url(url, timeout=timeout, validate_certs=self.get_option("validate_certs"), follow_redirects="safe",
                                http_agent="seed.lightsail public_ip lookup")
            body = response.read(MAX_ANSWER_BYTES + 1)
        except Exception as error:  # pylint: disable=broad-exception-caught  # urllib, socket and ssl errors alike
            raise AnsibleLookupError("seed.lightsail.public_ip: no answer from %s within %s seconds: %s" % (url, timeout, to_native(error)))
        if len(body) > MAX_ANSWER_BYTES:
            raise AnsibleLookupError("seed.lightsail.public_ip: %s answered more than %d bytes, not an address" % (url, MAX_ANSWER_BYTES))
        try:
            return [public_source_from_answer(body, url)]
        except ValueError as error:
            raise AnsibleLookupError("seed.lightsail.public_ip: %s" % error)

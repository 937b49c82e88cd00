# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EDA content agrees with itself: the source's documentation and its arguments, the two
example rulebooks, the playbooks they name, and the metadata Automation Hub reads."""

from __future__ import annotations

import os

import yaml

from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source import changes

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
RULEBOOKS = os.path.join(ROOT, 'extensions', 'eda', 'rulebooks')


def read_yaml(*parts):
    with open(os.path.join(ROOT, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_the_documentation_lists_every_argument_with_its_default():
    options = yaml.safe_load(changes.DOCUMENTATION)['options']
    assert sorted(options) == sorted(changes.ARGUMENTS)
    settings = changes.settings_from({'api_token': 'a-token'}, environ={})
    for name, option in options.items():
        if 'default' in option:
            value = getattr(settings, name)
            assert (list(value) if isinstance(value, tuple) else value) == option['default'], name
    assert options['kinds']['choices'] == list(changes.KINDS)


def test_the_examples_are_rulebooks_whose_source_arguments_are_accepted():
    for ruleset in yaml.safe_load(changes.EXAMPLES):
        for source in ruleset['sources']:
            args = source['flywp.cloud.changes']
            args = dict((key, 'a-token' if isinstance(value, str) and '{{' in value else value) for key, value in args.items())
            changes.settings_from(args, environ={'FLYWP_API_TOKEN': 'a-token'})


def test_automation_hub_finds_the_event_source():
    assert read_yaml('meta', 'extensions.yml') == {'extensions': [{'args': {'ext_dir': 'eda/plugins/event_source'}}]}
    assert os.path.isfile(os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'changes.py'))


def test_the_controller_rulebook_is_the_cli_one_with_job_templates():
    cli = read_yaml('extensions', 'eda', 'rulebooks', 'flywp_changes.yml')
    controller = read_yaml('extensions', 'eda', 'rulebooks', 'flywp_changes_controller.yml')
    assert len(cli) == len(controller) == 1
    assert cli[0]['sources'] == controller[0]['sources']
    for mine, theirs in zip(cli[0]['rules'], controller[0]['rules']):
        assert (mine['name'], mine['condition'], mine.get('throttle')) == (theirs['name'], theirs['condition'], theirs.get('throttle'))
        assert set(mine['action']) == {'run_playbook'} and set(theirs['action']) == {'run_job_template'}
    assert len(cli[0]['rules']) == len(controller[0]['rules'])


def test_every_playbook_a_rulebook_names_is_in_the_collection():
    for ruleset in read_yaml('extensions', 'eda', 'rulebooks', 'flywp_changes.yml'):
        for rule in ruleset['rules']:
            name = rule['action']['run_playbook']['name']
            assert name.startswith('flywp.cloud.')
            assert os.path.isfile(os.path.join(ROOT, 'playbooks', name[len('flywp.cloud.'):] + '.yml')), name
    with open(os.path.join(RULEBOOKS, 'flywp_changes_controller.yml'), encoding='utf-8') as handle:
        header = handle.read().split('\n- name:')[0]
    for ruleset in read_yaml('extensions', 'eda', 'rulebooks', 'flywp_changes.yml'):
        for rule in ruleset['rules']:
            assert rule['action']['run_playbook']['name'] in header  # the controller's templates say which playbook


def test_the_decision_environment_has_the_rule_engine_and_the_collection():
    definition = read_yaml('meta', 'decision-environment.yml')
    assert definition['version'] == 3
    assert any(line.startswith('ansible-rulebook') for line in definition['dependencies']['python'])
    assert any(line.startswith('requests') for line in definition['dependencies']['python'])
    assert any('java-17' in line for line in definition['dependencies']['system'])
    assert [collection['name'] for collection in definition['dependencies']['galaxy']['collections']] == ['flywp.cloud']


def test_the_decision_environment_keeps_its_state_directory_where_the_guide_mounts_a_volume():
    steps = read_yaml('meta', 'decision-environment.yml')['additional_build_steps']['append_final']
    assert 'ENV FLYWP_STATE_DIR=/var/lib/flywp.cloud' in steps
    made = [step for step in steps if step.startswith('RUN mkdir -p /var/lib/flywp.cloud ')]
    assert len(made) == 1 and 'chgrp 0 /var/lib/flywp.cloud' in made[0] and 'chmod 0770 /var/lib/flywp.cloud' in made[0]
    with open(os.path.join(ROOT, 'docs', 'eda.md'), encoding='utf-8') as handle:
        assert '/var/lib/flywp.cloud' in handle.read()

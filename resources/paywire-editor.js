/* global window, $, RED */
/*
 * Editor code shared by the Paywire action nodes (invoice, withdraw, transactions, api);
 * every Paywire node uses stampVersion when it saves.
 *
 * Each node's html loads this file, then describes itself with PaywireEditor.define(spec)
 * and hands the returned functions to RED.nodes.registerType. The form is drawn from the
 * runtime's catalog (GET paywire/catalog?lng=<editor language>, texts in German or English):
 * one TypedInput row per field of the selected operation, saved as
 * node.params = { field: { value, type } }. An empty field means "read msg.payload.<key>"
 * at runtime.
 *
 * Node-RED loads this file once per node set that includes it; only the first copy
 * defines window.PaywireEditor.
 */
(function () {
    'use strict';
    if (window.PaywireEditor) return;

    var FIELD_TYPES = ['str', 'num', 'bool', 'json', 'msg', 'flow', 'global', 'env', 'jsonata'];
    var LIST_MODES = ['all', 'page', 'item'];
    // The catalog fetched last, for labels of operations a node's fallback map does not know.
    var lastCatalog = null;
    // The catalog request shared by every dialog that can use a cached answer (the gateway's).
    var catalogRequest = null;
    // Per open edit dialog (by node id): what oneditsave needs from oneditprepare.
    var editors = {};
    // The node types drawn with define(), whose canvas labels use the catalog.
    var definedTypes = {};

    var STYLE = [
        '.paywire-form .form-row > label { width: 120px; }',
        '.paywire-form .form-row > select, .paywire-form .form-row > input[type="text"].paywire-form-wide { width: calc(100% - 130px); }',
        '.paywire-form .paywire-form-description { margin: -6px 0 12px 124px; font-size: 0.9em; color: var(--red-ui-secondary-text-color, #888); }',
        '.paywire-form .paywire-form-fields-tip { display: inline-block; width: calc(100% - 150px); padding: 4px 8px; }',
        '.paywire-form .form-row.paywire-field-row { margin-bottom: 6px; }',
        // Long field labels ("Amount includes processing fee") wrap instead of being cut off.
        '.paywire-form .paywire-field-row > label { white-space: normal; line-height: 1.25; margin-bottom: 0; padding-right: 6px; box-sizing: border-box; vertical-align: middle; overflow-wrap: break-word; }',
        '.paywire-form .paywire-field-row > .red-ui-typedInput-container { vertical-align: middle; }',
        // The required mark stays beside the label's last word: taken out of the line, it never
        // wraps onto a line of its own under a long word ("Zahlungswährung").
        '.paywire-form .paywire-field-required { position: absolute; color: var(--red-ui-text-color-error, #d6615f); margin-left: 2px; }',
        '.paywire-form .paywire-field-help { margin: 0 0 10px 124px; font-size: 0.9em; color: var(--red-ui-secondary-text-color, #888); }'
    ].join('\n');

    // ---- small helpers ----

    function isSet(value) {
        return value !== undefined && value !== null && String(value).trim() !== '';
    }

    function humanize(name) {
        return String(name || '').replace(/[_-]+/g, ' ').trim();
    }

    function capitalize(text) {
        return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
    }

    function findByKey(list, key, value) {
        if (!Array.isArray(list)) return null;
        for (var i = 0; i < list.length; i++) {
            if (list[i] && list[i][key] === value) return list[i];
        }
        return null;
    }

    function findProvider(catalog, id) {
        return catalog ? findByKey(catalog.providers, 'id', id) : null;
    }

    // The editor's language: RED.i18n.lang() in Node-RED 4 and 5 (the browser's or the chosen
    // editor language, among those the editor has), else what the editor itself would pick.
    function editorLanguage() {
        try {
            if (RED.i18n && typeof RED.i18n.lang === 'function') return RED.i18n.lang() || '';
        } catch {
            // fall through
        }
        try {
            return window.localStorage.getItem('editor-language') || window.navigator.language || '';
        } catch {
            return window.navigator.language || '';
        }
    }

    // The runtime's catalog in the editor's language: German operation, field and provider
    // texts for a German editor, English for any other.
    function catalogUrl() {
        var lang = editorLanguage();
        return 'paywire/catalog' + (lang ? '?lng=' + encodeURIComponent(lang) : '');
    }

    function acceptCatalog(data) {
        var valid = data && Array.isArray(data.providers) ? data : null;
        if (valid) {
            var first = !lastCatalog;
            lastCatalog = valid;
            if (first) redrawLabels();
        }
        return valid;
    }

    // Canvas labels drawn before the first catalog came lack the providers' own node labels
    // ("create payment order"): the Paywire action nodes are drawn again with them.
    function redrawLabels() {
        if (!RED.nodes || typeof RED.nodes.eachNode !== 'function' || !RED.view || typeof RED.view.redraw !== 'function') return;
        var any = false;
        RED.nodes.eachNode(function (n) {
            if (Object.prototype.hasOwnProperty.call(definedTypes, n.type)) {
                n.dirty = true;
                any = true;
            }
        });
        if (any) RED.view.redraw();
    }

    // The catalog, fetched once when the editor loads this file and again after a failure.
    // An answer already here is handed over at once (jQuery runs done() of a resolved request
    // synchronously), so a dialog opened later draws its provider list without waiting.
    function loadCatalog() {
        if (!catalogRequest) {
            catalogRequest = $.getJSON(catalogUrl());
            catalogRequest.done(acceptCatalog).fail(function () {
                catalogRequest = null;
            });
        }
        return catalogRequest;
    }

    // The provider a gateway without one starts with: the runtime's first, as its catalog says.
    function defaultProvider() {
        return (lastCatalog && lastCatalog.defaultProvider) || null;
    }

    // A catalog operation label as a node label: English ones in lower case like the rest
    // ("create invoice"); other languages as written, so German nouns keep their capital.
    function nodeLabelOf(catalog, label) {
        var language = catalog && catalog.language;
        return !language || language === 'en' ? label.toLowerCase() : label;
    }

    /** The node's own catalog text for `<type>.<key>`, or the fallback when it has none. */
    function message(node, type, key, vars, fallback) {
        var full = type + '.' + key;
        var text = node && typeof node._ === 'function' ? node._(full, vars) : full;
        if (text && text !== full) return text;
        return fallback !== undefined ? fallback : full;
    }

    /** A field value saved as a literal string or number, for node labels. */
    function literal(node, name) {
        var typed = node && node.params ? node.params[name] : null;
        if (!typed || (typed.type !== 'str' && typed.type !== 'num') || !isSet(typed.value)) return undefined;
        return String(typed.value).trim();
    }

    // A TypedInput type the field starts with when nothing is saved for it. An optional
    // boolean starts as an empty string: the bool type would always send true or false.
    function defaultType(field) {
        if (field.kind === 'boolean') return field.required ? 'bool' : 'str';
        if (field.kind === 'object') return 'json';
        if (field.kind === 'integer') return 'num';
        return 'str';
    }

    // An empty field is valid whatever its type: it means "read msg.payload". The built-in
    // JSON, number and msg types would otherwise mark it red. Only this input's copy of the
    // type definitions is changed.
    function allowEmpty(input) {
        var widget = input.typedInput('instance');
        if (!widget || !widget.typeMap) return;
        Object.keys(widget.typeMap).forEach(function (name) {
            var def = widget.typeMap[name];
            if (!def || !def.validate) return;
            var original = def.validate;
            widget.typeMap[name] = $.extend({}, def, {
                validate: function (value, opts) {
                    if (value === '') return true;
                    return typeof original === 'function' ? original(value, opts) : original.test(value);
                }
            });
        });
    }

    /** Why a TypedInput value can not be evaluated at runtime, as a message key; null when it can. */
    function typedProblem(value, fieldType) {
        var text = value.trim();
        switch (fieldType) {
            case 'num':
                return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? null : 'num';
            case 'bool':
                return text === 'true' || text === 'false' ? null : 'bool';
            case 'json':
                try {
                    JSON.parse(text);
                    return null;
                } catch {
                    return 'json';
                }
            case 'msg':
            case 'flow':
            case 'global':
                return RED.utils.validatePropertyExpression(text) ? null : 'property';
            case 'jsonata':
                try {
                    window.jsonata(text);
                    return null;
                } catch {
                    return 'jsonata';
                }
            default:
                return null;
        }
    }

    function payloadKeysOf(field) {
        var keys = Array.isArray(field.payloadKeys) && field.payloadKeys.length ? field.payloadKeys : [field.name];
        return keys.map(function (k) { return 'msg.payload.' + k; });
    }

    // An idempotency key (custom_id of a payout or exchange transfer) is required by the
    // gateway but generated by the node when the message has none, so the form does not
    // mark it required. The catalog flags it as generated.
    function generatedWhenEmpty(field) {
        return field.generated === true;
    }

    // Saving in this editor writes the current shape, so the node carries the current config
    // version (never lowered: a node saved by a newer Paywire keeps its number).
    function stampVersion(node) {
        var current = node._def.defaults.version.value;
        if (!(Number(node.version) >= current)) node.version = current;
    }

    function addStyle() {
        if ($('#paywire-editor-style').length) return;
        $('<style id="paywire-editor-style">').text(STYLE).appendTo('head');
    }

    // ---- the edit dialog template, the same for every action node ----

    function templateHtml(spec) {
        var t = spec.type;
        function label(forId, icon, key) {
            return '<label for="' + forId + '"><i class="fa ' + icon + '"></i> <span data-i18n="' + t + '.label.' + key + '"></span></label>';
        }
        var rows = [
            '<div class="paywire-form">',
            '<div class="form-row">' + label('node-input-gateway', 'fa-university', 'gateway') + '<input type="text" id="node-input-gateway"></div>'
        ];
        if (!spec.resource) {
            rows.push('<div class="form-row">' + label('node-input-resource', 'fa-cubes', 'resource') + '<select id="node-input-resource"></select></div>');
        }
        rows.push(
            '<div class="form-row">' + label('node-input-operation', 'fa-cog', 'operation') + '<select id="node-input-operation"></select></div>',
            '<div class="paywire-form-description" id="paywire-form-description"></div>',
            '<div class="form-row" style="margin-bottom:6px;"><label><i class="fa fa-list"></i> <span data-i18n="' + t + '.label.fields"></span></label>' +
                '<span class="form-tips paywire-form-fields-tip" data-i18n="' + t + '.tip.fields"></span></div>',
            '<div class="paywire-form-fields" id="paywire-form-fields"></div>',
            '<div class="form-row paywire-form-list-row">' + label('node-input-listMode', 'fa-th-list', 'listMode') +
                '<select id="node-input-listMode">' +
                LIST_MODES.map(function (mode) {
                    return '<option value="' + mode + '" data-i18n="' + t + '.listMode.' + mode + '"></option>';
                }).join('') +
                '</select></div>',
            '<div class="form-row paywire-form-maxrows-row">' + label('node-input-maxRows', 'fa-ban', 'maxRows') +
                '<input type="text" id="node-input-maxRows" style="width:100px;" placeholder="10000"> <span data-i18n="' + t + '.tip.maxRows"></span></div>',
            '<div class="form-row">' + label('node-input-name', 'fa-tag', 'name') +
                '<input type="text" id="node-input-name" class="paywire-form-wide" data-i18n="[placeholder]' + t + '.label.name"></div>',
            '</div>'
        );
        return rows.join('\n');
    }

    function addTemplate(spec) {
        if ($('script[data-template-name="' + spec.type + '"]').length) return;
        var holder = $('#red-ui-editor-node-configs');
        $('<script type="text/html">')
            .attr('data-template-name', spec.type)
            .text(templateHtml(spec))
            .appendTo(holder.length ? holder : 'body');
    }

    // ---- one node type's form ----

    function define(spec) {
        var type = spec.type;
        definedTypes[type] = true;
        var fallback = spec.operations || {};
        var exclude = spec.exclude || [];

        function fallbackOperation(resource, operation) {
            var ops = fallback[resource];
            return ops && Object.prototype.hasOwnProperty.call(ops, operation) ? ops[operation] : null;
        }

        function catalogLabel(resource, operation) {
            var providers = lastCatalog && Array.isArray(lastCatalog.providers) ? lastCatalog.providers : [];
            for (var i = 0; i < providers.length; i++) {
                var ops = providers[i].resources && providers[i].resources[resource];
                var op = findByKey(ops, 'name', operation);
                if (op && op.label) return nodeLabelOf(lastCatalog, op.label);
            }
            return null;
        }

        function resourceOf(node) {
            return spec.resource || (node && node.resource) || spec.defaultResource;
        }

        // The provider of the node's gateway, so labels can use the provider's own words.
        function providerOf(node) {
            var gateway = node && node.gateway ? RED.nodes.node(node.gateway) : null;
            return (gateway && gateway.provider) || defaultProvider();
        }

        // The provider's own node label for an operation from the catalog ("create payment
        // order"), in the catalog's language; null when it has none or the catalog is not here.
        function providerNodeLabel(node, resource, operation) {
            var provider = findProvider(lastCatalog, providerOf(node));
            var ops = provider && provider.resources ? provider.resources[resource] : null;
            var op = findByKey(ops, 'name', operation);
            return op && op.nodeLabel ? op.nodeLabel : null;
        }

        /**
         * The node label when it has no name: e.g. "create invoice", "get rate"; in the
         * provider's words where they differ ("create payment order" for payment orders).
         */
        function operationLabel(node, operation, resource) {
            resource = spec.resource || resource || resourceOf(node);
            operation = operation || (node && node.operation) || spec.defaultOperation;
            var path = spec.resource ? operation : resource + '.' + operation;
            var own = providerNodeLabel(node, resource, operation);
            if (own) return own;
            var known = fallbackOperation(resource, operation);
            var text = known ? known.label : catalogLabel(resource, operation) || humanize(operation + ' ' + resource);
            return message(node, type, 'operationLabel.' + path, null, text);
        }

        function resourceTitle(node, resource) {
            return message(node, type, 'resource.' + resource, null, capitalize(humanize(resource)));
        }

        // Option text for an operation when the catalog is not available.
        function operationTitle(node, resource, operation) {
            var key = spec.resource ? 'operation.' + operation : 'operation.' + resource + '.' + operation;
            return message(node, type, key, null, capitalize(operationLabel(node, operation, resource)));
        }

        function validateListMode(v) {
            return v === undefined || v === '' || LIST_MODES.indexOf(v) !== -1;
        }

        // Two parameters: Node-RED shows a returned string as the reason only for validators
        // declared with (value, options).
        // eslint-disable-next-line no-unused-vars
        function validateMaxRows(v, opt) {
            var text = String(v === undefined || v === null ? '' : v).trim();
            if (/^[0-9]+$/.test(text) && Number(text) > 0) return true;
            return this && typeof this._ === 'function' ? this._(type + '.errors.maxRows') : false;
        }

        // A label for a field in messages: the catalog's when loaded, else its name in words.
        function fieldLabel(node, name) {
            var providers = lastCatalog && Array.isArray(lastCatalog.providers) ? lastCatalog.providers : [];
            for (var i = 0; i < providers.length; i++) {
                var ops = providers[i].resources && providers[i].resources[resourceOf(node)];
                var op = findByKey(ops, 'name', node && node.operation);
                var field = op && findByKey(op.fields, 'name', name);
                if (field && field.label) return field.label;
            }
            return capitalize(humanize(name));
        }

        // One message per field whose value can not work for its TypedInput type, so the red
        // triangle on the node says which field is wrong and why (Node-RED lists them).
        // eslint-disable-next-line no-unused-vars
        function validateParams(v, opt) {
            var node = this;
            var problems = [];
            Object.keys(v && typeof v === 'object' ? v : {}).forEach(function (name) {
                var typed = v[name];
                if (!typed || !isSet(typed.value)) return;
                var problem = typedProblem(String(typed.value), typed.type || 'str');
                if (problem) problems.push(message(node, type, 'errors.' + problem, { field: fieldLabel(node, name) }, fieldLabel(node, name) + ': ' + problem));
            });
            return problems.length === 0 ? true : problems;
        }

        function prepare() {
            var node = this;
            var catalog = null;
            var loading = true;
            var provider = null;
            var shownResource = null;
            var renderedOperation = null;
            var renderedFields = [];
            // Values typed so far, by field name; survives switching operations.
            var values = $.extend(true, {}, node.params || {});
            var resourceSelect = $('#node-input-resource');
            var operationSelect = $('#node-input-operation');
            var listModeSelect = $('#node-input-listMode');
            var gatewayInput = $('#node-input-gateway');
            var container = $('#paywire-form-fields');
            var description = $('#paywire-form-description');

            function tip(key, vars) {
                return message(node, type, 'tip.' + key, vars);
            }

            function selectedResource() {
                return spec.resource || resourceSelect.val() || resourceOf(node);
            }

            function selectedOperation() {
                return operationSelect.val() || node.operation || spec.defaultOperation;
            }

            function providerId() {
                var id = gatewayInput.val();
                var gateway = id && id !== '_ADD_' ? RED.nodes.node(id) : null;
                return (gateway && gateway.provider) || defaultProvider();
            }

            // The provider's operations for a resource; null when the catalog cannot say.
            function catalogOperations(resource) {
                if (!provider || !provider.resources) return null;
                var ops = provider.resources[resource];
                return Array.isArray(ops) && ops.length ? ops : null;
            }

            function findOperation(name) {
                return findByKey(catalogOperations(selectedResource()), 'name', name);
            }

            function setOptions(select, options, keep, keepText) {
                select.empty();
                options.forEach(function (o) {
                    $('<option>').val(o.value).text(o.text).appendTo(select);
                });
                if (keep && !findByKey(options, 'value', keep)) {
                    // Not offered here: keep it visible so saving does not change it silently.
                    $('<option>').val(keep).text(keepText).appendTo(select);
                }
                select.val(keep);
            }

            function fillResources() {
                if (spec.resource) return;
                var names = provider && provider.resources ? Object.keys(provider.resources) : Object.keys(fallback);
                var keep = selectedResource();
                var options = names
                    .filter(function (name) { return exclude.indexOf(name) === -1; })
                    .map(function (name) { return { value: name, text: resourceTitle(node, name) }; });
                setOptions(resourceSelect, options, keep, resourceTitle(node, keep));
                shownResource = keep;
            }

            // firstIfMissing: after the user picked another resource, start at its first operation.
            function fillOperations(firstIfMissing) {
                var resource = selectedResource();
                var ops = catalogOperations(resource);
                var options = ops
                    ? ops.map(function (op) { return { value: op.name, text: op.label || op.name }; })
                    : Object.keys(fallback[resource] || {}).map(function (name) {
                        return { value: name, text: operationTitle(node, resource, name) };
                    });
                var keep = selectedOperation();
                if (firstIfMissing && options.length && !findByKey(options, 'value', keep)) keep = options[0].value;
                setOptions(operationSelect, options, keep, operationTitle(node, resource, keep));
            }

            function updateListRows() {
                var name = selectedOperation();
                var op = findOperation(name);
                var known = fallbackOperation(selectedResource(), name);
                var isList = op ? op.list === true : !!(known && known.list);
                $('.paywire-form-list-row').toggle(isList);
                // Only "all rows in one message" holds rows in memory, so only it has a cap.
                $('.paywire-form-maxrows-row').toggle(isList && listModeSelect.val() === 'all');
            }

            function captureValues() {
                renderedFields.forEach(function (f) {
                    values[f.name] = { value: f.input.typedInput('value'), type: f.input.typedInput('type') };
                });
            }

            function showTip(text) {
                description.text('');
                $('<div class="form-tips">').text(text).appendTo(container);
            }

            // The field's hint, with its allowed values when the hint does not name them all.
            function fieldHelp(field) {
                var help = field.help || '';
                var options = Array.isArray(field.options) ? field.options : [];
                var missing = options.some(function (o) { return help.indexOf(o) === -1; });
                if (!missing) return help;
                var values = options.join(', ');
                return (help ? help + ' ' : '') + message(node, type, 'tip.values', { values: values }, 'One of: ' + values + '.');
            }

            function renderField(field) {
                var id = 'node-input-paywire-field-' + field.name.replace(/[^A-Za-z0-9_-]/g, '_');
                var row = $('<div class="form-row paywire-field-row">').appendTo(container);
                var label = $('<label>').attr('for', id).attr('title', field.name).appendTo(row);
                $('<span>').text(field.label || field.name).appendTo(label);
                if (field.required && !generatedWhenEmpty(field)) {
                    $('<span class="paywire-field-required">*</span>').attr('title', tip('required')).appendTo(label);
                }
                var sources = payloadKeysOf(field).join(tip('or'));
                var input = $('<input type="text">')
                    .attr('id', id)
                    .attr('placeholder', sources)
                    .attr('title', tip('fallback', { sources: sources }))
                    .css('width', 'calc(100% - 130px)')
                    .appendTo(row);
                var saved = values[field.name];
                var fieldType = saved && FIELD_TYPES.indexOf(saved.type) !== -1 ? saved.type : defaultType(field);
                input.typedInput({ default: fieldType, types: FIELD_TYPES });
                allowEmpty(input);
                input.typedInput('type', fieldType);
                input.typedInput('value', saved && saved.value !== undefined && saved.value !== null ? String(saved.value) : '');
                var help = fieldHelp(field);
                if (help) {
                    $('<div class="paywire-field-help">').text(help).appendTo(container);
                }
                renderedFields.push({ name: field.name, input: input });
            }

            function renderFields() {
                captureValues();
                container.empty();
                renderedFields = [];
                renderedOperation = null;
                // Lets tests (and styles) tell a form still waiting for the catalog from a drawn one.
                container.attr('data-state', loading ? 'loading' : 'ready');
                var name = selectedOperation();
                if (loading) return showTip(tip('loading'));
                if (!catalog) return showTip(tip('catalogUnavailable'));
                if (!provider) return showTip(tip('unknownProvider', { provider: providerId() || '' }));
                var op = findOperation(name);
                if (!op) {
                    return showTip(tip('unsupportedOperation', { provider: provider.label || provider.id, operation: name }));
                }
                description.text(op.description || '');
                renderedOperation = op.name;
                var fields = Array.isArray(op.fields) ? op.fields : [];
                if (fields.length === 0) {
                    $('<div class="form-tips">').text(tip('noFields')).appendTo(container);
                }
                fields.forEach(renderField);
            }

            function refresh() {
                provider = findProvider(catalog, providerId());
                fillResources();
                fillOperations(false);
                updateListRows();
                renderFields();
            }

            fillResources();
            fillOperations(false);
            listModeSelect.val(node.listMode || 'all');
            updateListRows();
            renderFields();

            listModeSelect.on('change', updateListRows);
            resourceSelect.on('change', function () {
                // Node-RED also fires change once after opening; only a new resource resets the operation.
                if (selectedResource() === shownResource) return;
                shownResource = selectedResource();
                fillOperations(true);
                updateListRows();
                renderFields();
            });
            operationSelect.on('change', function () {
                updateListRows();
                renderFields();
            });
            gatewayInput.on('change', function () {
                if (catalog) refresh();
            });

            $.getJSON(catalogUrl())
                .done(function (data) {
                    catalog = acceptCatalog(data);
                })
                .always(function () {
                    loading = false;
                    refresh();
                });

            editors[node.id] = {
                rendered: function () { return renderedOperation; },
                capture: captureValues,
                fields: function () { return renderedFields; },
                values: function () { return values; }
            };
        }

        function save() {
            var editor = editors[this.id];
            delete editors[this.id];
            stampVersion(this);
            // Without the catalog the fields were never drawn: keep what was saved.
            if (!editor || !editor.rendered()) return;
            editor.capture();
            var values = editor.values();
            var params = {};
            editor.fields().forEach(function (f) {
                var v = values[f.name];
                if (v && isSet(v.value)) params[f.name] = { value: String(v.value), type: v.type || 'str' };
            });
            this.params = params;
        }

        function cancel() {
            delete editors[this.id];
        }

        addStyle();
        addTemplate(spec);

        return {
            paletteLabel: function () {
                return message(this, type, 'paletteLabel');
            },
            label: function () {
                return this.name || operationLabel(this);
            },
            labelStyle: function () {
                return this.name ? 'node_label_italic' : '';
            },
            operationLabel: operationLabel,
            validateListMode: validateListMode,
            validateMaxRows: validateMaxRows,
            validateParams: validateParams,
            oneditprepare: prepare,
            oneditsave: save,
            oneditcancel: cancel
        };
    }

    // Context store names the runtime offers (settings.js contextStorage), default first.
    function contextStores() {
        var ctx = RED.settings && RED.settings.context;
        var stores = ctx && Array.isArray(ctx.stores) ? ctx.stores.slice() : ['memory'];
        var def = ctx && ctx.default;
        if (def && stores.indexOf(def) > 0) {
            stores.splice(stores.indexOf(def), 1);
            stores.unshift(def);
        }
        return stores;
    }

    // Fills a context store <select> (callback and watch nodes) and selects `current`.
    function fillContextStores(select, current) {
        var stores = contextStores();
        stores.forEach(function (name) {
            $('<option>').val(name).text(name).appendTo(select);
        });
        // Keep a name the runtime does not list (yet), so opening the dialog never changes it.
        if (current && stores.indexOf(current) === -1) {
            $('<option>').val(current).text(current).appendTo(select);
        }
        select.val(current || stores[0]);
    }

    window.PaywireEditor = {
        catalogUrl: catalogUrl,
        loadCatalog: loadCatalog,
        defaultProvider: defaultProvider,
        define: define,
        fillContextStores: fillContextStores,
        literal: literal,
        stampVersion: stampVersion
    };
    loadCatalog();
})();

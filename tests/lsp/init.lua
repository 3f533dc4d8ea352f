-- Drives alertlint's language server from Neovim's built-in LSP client and
-- writes what Neovim saw to a JSON file for tests/nvim_lsp.rs to check.
--
-- Works with Neovim 0.7 (Debian bookworm), which has no `vim.lsp.start` (0.8+):
-- there the client is started with `start_client` + `buf_attach_client`.
--
-- Environment: ALERTLINT_BIN (the binary), ALERTLINT_FILE (a YAML file to
-- edit), ALERTLINT_OUT (where to write the JSON result).

local bin = os.getenv('ALERTLINT_BIN')
local file = os.getenv('ALERTLINT_FILE')
local out = os.getenv('ALERTLINT_OUT')
local result = { steps = {} }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local function snapshot(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      message = d.message, source = d.source, code = d.code, severity = d.severity,
    })
  end
  return list
end

local function wait_for(buf, name, predicate)
  local ok = vim.wait(20000, function() return predicate(vim.diagnostic.get(buf)) end, 50)
  table.insert(result.steps, { name = name, ok = ok, diagnostics = snapshot(buf) })
  return ok
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = { name = 'alertlint', cmd = { bin, 'lsp' }, root_dir = vim.fn.fnamemodify(file, ':p:h') }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  result.client_started = client_id ~= nil

  -- 1. Diagnostics arrive for the file as opened.
  if not wait_for(buf, 'open', function(ds) return #ds > 0 end) then return end

  -- 2. An edit in the buffer (sent as an incremental change) re-lints: the
  --    misspelt id is corrected by hand, so the finding changes.
  local line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
  local s, e = string.find(line, 'misisng', 1, true)
  vim.api.nvim_buf_set_text(buf, 1, s - 1, 1, e, { 'missing' })
  if not wait_for(buf, 'edited', function(ds)
    return #ds > 0 and string.find(ds[1].message, 'suppressed nothing', 1, true) ~= nil
  end) then return end

  -- 3. The server's code action removes the unused suppression; after
  --    applying it the buffer is clean.
  local d = vim.diagnostic.get(buf)[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = d.lnum, character = 0 }, ['end'] = { line = d.end_lnum, character = 200 } },
    context = { diagnostics = {} },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 20000) or {}
  result.actions = {}
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(result.actions, action.title)
      if action.title:find('Remove the unused suppression', 1, true) then
        vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
      end
    end
  end
  wait_for(buf, 'fixed', function(ds) return #ds == 0 end)
  result.text = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end)

result.ok = ok
result.error = err and tostring(err) or nil
finish()

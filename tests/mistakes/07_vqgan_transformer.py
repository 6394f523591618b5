"""Typical wrong answers to assignment 07; each must lose points."""

MISTAKES = {
    "no straight-through gradient (the codes themselves are returned)": {
        "quantize": '''def quantize(z, codebook):
    distances = torch.cdist(z, codebook)
    indices = distances.argmin(dim=1)
    return codebook[indices].detach(), indices''',
    },
    "nucleus drops the token that crosses top_p": {
        "filter_logits": '''def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits.clone()
    if top_k and top_k < out.shape[-1]:
        kth = out.topk(top_k, dim=-1).values[..., -1:]
        out = out.masked_fill(out < kth, -math.inf)
    if top_p < 1.0:
        sorted_logits, order = out.sort(dim=-1, descending=True)
        remove = sorted_logits.softmax(dim=-1).cumsum(dim=-1) > top_p
        remove[..., 0] = False
        out = out.masked_fill(remove.scatter(-1, order, remove), -math.inf)
    return out''',
    },
    "row mask stops one token short of the token directly above": {
        "attention_mask": '''def attention_mask(n_text, side, kind="full", text_padding=None):
    n_image = side * side
    length = n_text + n_image
    mask = torch.ones(length, length, dtype=torch.bool).tril()
    i = torch.arange(n_image)[:, None]
    j = torch.arange(n_image)[None, :]
    if kind == "row":
        image = (j <= i) & (j > i - side)
    elif kind == "column":
        image = (j <= i) & (j % side == i % side)
    else:
        image = j <= i
    mask[n_text:, n_text:] = image
    if text_padding is not None:
        mask[:, :n_text] &= ~torch.as_tensor(text_padding, dtype=torch.bool)[None, :]
        mask[torch.arange(length), torch.arange(length)] = True
    return mask''',
    },
    "nucleus over the tokens in their given order (never sorted)": {
        "filter_logits": '''def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits.clone()
    if top_k and top_k < out.shape[-1]:
        kth = out.topk(top_k, dim=-1).values[..., -1:]
        out = out.masked_fill(out < kth, -math.inf)
    if top_p < 1.0:
        probs = out.softmax(dim=-1)
        out = out.masked_fill(probs.cumsum(dim=-1) - probs >= top_p, -math.inf)
    return out''',
    },
    "CLIP loss in one direction only (pictures -> captions)": {
        "clip_loss": '''def clip_loss(image_emb, text_emb, logit_scale):
    logits = logit_scale * F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T
    return F.cross_entropy(logits, torch.arange(len(logits)))''',
    },
    "VQ loss with beta on the codebook term (taming's placement, not the paper's)": {
        "vq_loss": '''def vq_loss(z, z_q, beta=0.25):
    return beta * F.mse_loss(z_q, z.detach()) + F.mse_loss(z, z_q.detach())''',
    },
    "VQ loss without stop-gradients": {
        "vq_loss": '''def vq_loss(z, z_q, beta=0.25):
    return F.mse_loss(z_q, z) + beta * F.mse_loss(z, z_q)''',
    },
    "VQ loss with the codebook term only": {
        "vq_loss": '''def vq_loss(z, z_q, beta=0.25):
    return F.mse_loss(z_q, z.detach())''',
    },
    "KV-cache step with a causal mask on the single new query": {
        "cached_attention": '''def cached_attention(q, k, v, past_k, past_v):
    keys = torch.cat([past_k, k], dim=2)
    values = torch.cat([past_v, v], dim=2)
    return F.scaled_dot_product_attention(q, keys, values, is_causal=True), keys, values''',
    },
    "KV-cache step that attends to the past only, not to the new position": {
        "cached_attention": '''def cached_attention(q, k, v, past_k, past_v):
    keys = torch.cat([past_k, k], dim=2)
    values = torch.cat([past_v, v], dim=2)
    if past_k.shape[2] == 0:
        return v, keys, values
    weights = (q @ past_k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-1)
    return weights @ past_v, keys, values''',
    },
    "KV-cache step without the 1/sqrt(d) scaling": {
        "cached_attention": '''def cached_attention(q, k, v, past_k, past_v):
    keys = torch.cat([past_k, k], dim=2)
    values = torch.cat([past_v, v], dim=2)
    return (q @ keys.transpose(-2, -1)).softmax(dim=-1) @ values, keys, values''',
    },
}

"""The three GAN losses, on the discriminator's raw outputs (logits), in `keras.ops` only.

D's output s is a logit: D(x) = σ(s) is the probability that x is real. With r = s(x) for real
and f = s(G(z)) for generated samples, and −log σ(s) = softplus(−s), −log(1 − σ(s)) = softplus(s):

  standard (minimax)  L_D = E[softplus(−r)] + E[softplus(f)]   L_G =  E[log(1 − σ(f))] = −E[softplus(f)]
  non-saturating      L_D = the same                           L_G = −E[log σ(f)]      =  E[softplus(−f)]
  least squares       L_D = ½E[(r − 1)²] + ½E[f²]              L_G = ½E[(f − 1)²]       (s is a score, not a logit)

The standard generator loss saturates: when D confidently rejects the fakes (f ≪ 0) its gradient
σ(f) vanishes, so G learns nothing exactly when it is worst. The non-saturating loss has the same
fixed point but a strong gradient there, which is why it is what people use.
"""

from keras import ops

LOSSES = ("standard", "non_saturating", "least_squares")


def check_loss(kind: str) -> str:
    if kind not in LOSSES:
        raise ValueError(f"loss {kind!r} is not one of {', '.join(LOSSES)}: pick one of those")
    return kind


def discriminator_loss(real_scores, fake_scores, kind: str):
    """L_D: push real scores up (towards 'real') and fake scores down."""
    if check_loss(kind) == "least_squares":
        return 0.5 * ops.mean(ops.square(real_scores - 1.0)) + 0.5 * ops.mean(ops.square(fake_scores))
    return ops.mean(ops.softplus(-real_scores)) + ops.mean(ops.softplus(fake_scores))


def generator_loss(fake_scores, kind: str):
    """L_G: make D call the fakes real (in the way the chosen loss measures it)."""
    kind = check_loss(kind)
    if kind == "standard":
        return -ops.mean(ops.softplus(fake_scores))  # = E[log(1 − D(G(z)))], minimised
    if kind == "non_saturating":
        return ops.mean(ops.softplus(-fake_scores))  # = −E[log D(G(z))]
    return 0.5 * ops.mean(ops.square(fake_scores - 1.0))


def realness(scores, kind: str):
    """The discriminator's 'probability of real' in [0, 1]: σ(s), or the clipped LS score."""
    if check_loss(kind) == "least_squares":
        return ops.clip(scores, 0.0, 1.0)
    return ops.sigmoid(scores)

/** {@code torch.optim} for the cells: {@link io.buildgpt.optim.AdamW}, step for step as {@code torch.optim.AdamW}. */
package io.buildgpt.optim;

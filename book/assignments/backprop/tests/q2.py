OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))\n>>> assert abs(loss - np.log(4)) < 1e-09 and np.shape(d) == (2, 4)\n',
                                       'failure_message': 'equal logits over 4 classes give a loss of log 4',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
